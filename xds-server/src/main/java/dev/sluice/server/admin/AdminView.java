package dev.sluice.server.admin;

import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.SourceStatus;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.server.config.Refusal;
import dev.sluice.server.xds.Denials;
import dev.sluice.server.xds.PropagationTracker;
import dev.sluice.server.xds.ProxyRegistry;
import dev.sluice.server.xds.ProxySync;
import dev.sluice.xds.XdsResources;
import dev.sluice.yaml.Finding;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the admin API reads of a running server, and nothing it could change. Made by the server
 * once every part it reads exists, so each answer is there from the first request.
 */
public interface AdminView {
  /** True once the first complete config has been published. */
  boolean ready();

  /** Every metric in Prometheus' text format. */
  String prometheus();

  /** Where services come from, as the operator named it. */
  String registrySource();

  SourceStatus registryStatus();

  /** The catalog the config is built from; empty until the registry's first sync. */
  Optional<ServiceCatalog> catalog();

  /** The latest desired resources of each proxy group. */
  Map<String, XdsResources> targets();

  /** Group → resource type → the version in its snapshot. */
  Map<String, Map<String, String>> versions();

  /** The id of the change the Envoys are served; 0 before the first. */
  long servingChange();

  List<ProxyRegistry.ProxyState> proxies();

  ProxySync sync(ProxyRegistry.ProxyState proxy);

  List<PropagationTracker.ChangeView> changes();

  List<Refusal> refusedChanges();

  /** How the control channel is protected (TLS, credentials). */
  String controlChannel();

  /** True when xDS listens beyond loopback without TLS and credentials. */
  boolean insecureXds();

  /** The streams refused for their credential, newest first. */
  List<Denials.Denial> refusedProxies();

  Optional<PolicyLoader.Result> lastPolicyLoad();

  Optional<PolicySet> servingPolicies();

  List<Finding> policyFindings();

  List<Finding> registryFindings();
}
