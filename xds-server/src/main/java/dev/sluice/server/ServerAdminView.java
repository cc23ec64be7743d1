package dev.sluice.server;

import dev.sluice.discovery.CatalogSource;
import dev.sluice.discovery.ServiceCatalog;
import dev.sluice.discovery.SourceStatus;
import dev.sluice.policy.PolicyLoader;
import dev.sluice.policy.PolicySet;
import dev.sluice.server.admin.AdminView;
import dev.sluice.server.auth.ChannelSecurity;
import dev.sluice.server.config.ConfigPipeline;
import dev.sluice.server.config.Refusal;
import dev.sluice.server.telemetry.Metrics;
import dev.sluice.server.xds.Denials;
import dev.sluice.server.xds.PropagationTracker;
import dev.sluice.server.xds.ProxyRegistry;
import dev.sluice.server.xds.ProxySync;
import dev.sluice.server.xds.XdsServer;
import dev.sluice.xds.XdsResources;
import dev.sluice.yaml.Finding;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The admin API's view of the running parts; each answer is read from them when asked. */
record ServerAdminView(
    XdsServer xds,
    ConfigPipeline pipeline,
    CatalogSource registry,
    Metrics metrics,
    ChannelSecurity security,
    XdsExposure exposure)
    implements AdminView {

  @Override
  public boolean ready() {
    return pipeline.published();
  }

  @Override
  public String prometheus() {
    return metrics.prometheus();
  }

  @Override
  public String registrySource() {
    return registry.describe();
  }

  @Override
  public SourceStatus registryStatus() {
    return registry.status();
  }

  @Override
  public Optional<ServiceCatalog> catalog() {
    return pipeline.catalog();
  }

  @Override
  public Map<String, XdsResources> targets() {
    return xds.publisher().targets();
  }

  @Override
  public Map<String, Map<String, String>> versions() {
    return xds.publisher().versions();
  }

  @Override
  public long servingChange() {
    return xds.publisher().publishedChange();
  }

  @Override
  public List<ProxyRegistry.ProxyState> proxies() {
    return xds.proxies().connected();
  }

  @Override
  public ProxySync sync(ProxyRegistry.ProxyState proxy) {
    return xds.publisher().state(proxy);
  }

  @Override
  public List<PropagationTracker.ChangeView> changes() {
    return xds.propagation().recent();
  }

  @Override
  public List<Refusal> refusedChanges() {
    return pipeline.recentRefusals();
  }

  @Override
  public String controlChannel() {
    return security.describe();
  }

  @Override
  public boolean insecureXds() {
    return exposure.exposed();
  }

  @Override
  public List<Denials.Denial> refusedProxies() {
    return xds.denials().latest();
  }

  @Override
  public Optional<PolicyLoader.Result> lastPolicyLoad() {
    return pipeline.lastPolicyLoad();
  }

  @Override
  public Optional<PolicySet> servingPolicies() {
    return pipeline.servingPolicies();
  }

  @Override
  public List<Finding> policyFindings() {
    return pipeline.policyFindings();
  }

  @Override
  public List<Finding> registryFindings() {
    return pipeline.registryFindings();
  }
}
