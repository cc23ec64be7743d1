package dev.sluice.ir;

/** One upstream address. Only instances that may receive traffic become endpoints. */
public record Endpoint(String address, int port, int weight, String zone) {}
