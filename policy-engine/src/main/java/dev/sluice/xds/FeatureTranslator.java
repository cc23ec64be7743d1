package dev.sluice.xds;

import dev.sluice.ir.ProxyConfig;

/**
 * The contract of one translation feature: it reads the IR and adds or amends resources in the
 * builder. Features run in the order of {@link Translator#FEATURES}; a later one may amend what an
 * earlier one built (for example, a future retry feature amending routes).
 */
interface FeatureTranslator {
  void translate(ProxyConfig ir, XdsBuilder out);
}
