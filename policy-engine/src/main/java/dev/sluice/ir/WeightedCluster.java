package dev.sluice.ir;

public record WeightedCluster(String cluster, int weight) {}
