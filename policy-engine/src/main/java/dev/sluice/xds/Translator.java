package dev.sluice.xds;

import dev.sluice.ir.ProxyConfig;
import java.util.List;

/** IR → Envoy resources. The only public entry point of the translation features. */
public final class Translator {
  /** Features in the order they run; each one lives in its own file. */
  static final List<FeatureTranslator> FEATURES =
      List.of(
          new ClusterTranslator(),
          new DnsClusterTranslator(),
          new EndpointTranslator(),
          new ListenerTranslator(),
          new TlsTranslator(),
          new SidecarTranslator(),
          new MeshClientTranslator(),
          new TelemetryTranslator(),
          new RouteTableTranslator());

  private Translator() {}

  public static XdsResources translate(ProxyConfig ir) {
    return translate(ir, TranslationMemo.NONE);
  }

  /**
   * Reuses, through {@code memo}, the parts of the group's previous translation whose IR did not
   * change.
   */
  static XdsResources translate(ProxyConfig ir, TranslationMemo memo) {
    XdsBuilder out = new XdsBuilder(memo);
    for (FeatureTranslator f : FEATURES) {
      f.translate(ir, out);
    }
    return out.build();
  }
}
