package dev.sluice.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.GoldenInputs;
import dev.sluice.yaml.YamlDocument;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParsedFilesTest {
  @TempDir Path dir;

  @Test
  void anUnchangedFileIsNotParsedAgainAndAChangedOneIs() throws Exception {
    Path a = Files.writeString(dir.resolve("a.yaml"), "kind: Route\nname: a\nto: x\n");
    Path b = Files.writeString(dir.resolve("b.yaml"), "kind: Route\nname: b\nto: x\n");
    ParsedFiles parsed = new ParsedFiles();
    List<YamlDocument> a1 = parsed.read(a);
    List<YamlDocument> b1 = parsed.read(b);
    parsed.loaded();

    Files.writeString(b, "kind: Route\nname: b\nto: y\n");
    List<YamlDocument> a2 = parsed.read(a);
    List<YamlDocument> b2 = parsed.read(b);
    parsed.loaded();

    assertThat(a2).isSameAs(a1);
    assertThat(b2).isNotSameAs(b1);
    assertThat(b2.get(0).root().get("to").asText()).isEqualTo("y");
  }

  @Test
  void aFileLeftOutOfALoadIsParsedAfreshWhenItComesBack() throws Exception {
    Path a = Files.writeString(dir.resolve("a.yaml"), "kind: Route\nname: a\nto: x\n");
    ParsedFiles parsed = new ParsedFiles();
    List<YamlDocument> first = parsed.read(a);
    parsed.loaded();
    parsed.loaded(); // a load in which a.yaml was gone

    assertThat(parsed.read(a)).isNotSameAs(first).isEqualTo(first);
  }

  @Test
  void loadsWithTheCacheGiveTheSamePoliciesAsWithout() throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), "kind: Gateway\nname: edge\nport: 8080\n");
    Files.writeString(
        dir.resolve("routes.yaml"),
        "kind: Route\nname: a\nto: x\n---\nkind: Route\nname: b\nmatch: {prefix: /b}\nto: y\n");
    ParsedFiles parsed = new ParsedFiles();
    PolicyLoader.load(dir, parsed);
    Files.writeString(
        dir.resolve("more.yaml"), "kind: Route\nname: c\nmatch: {prefix: /c}\nto: z\n");

    assertThat(PolicyLoader.load(dir, parsed).policies())
        .isEqualTo(PolicyLoader.load(dir).policies())
        .isPresent();
  }

  @Test
  void aKeptDocumentIsNotReadAgainButOneThatPointsAtFilesIs() throws Exception {
    Path certs = GoldenInputs.GOLDEN.resolve("gateway-tls/certs");
    Files.writeString(
        dir.resolve("gateway.yaml"),
        "kind: Gateway\nname: edge\nport: 8443\ntls:\n"
            + "  certificate: "
            + certs.resolve("edge.pem")
            + "\n  key: "
            + certs.resolve("edge-key.pem")
            + "\n");
    Files.writeString(dir.resolve("routes.yaml"), "kind: Route\nname: a\nto: x\n");
    ParsedFiles parsed = new ParsedFiles();
    PolicySet first = PolicyLoader.load(dir, parsed).policies().orElseThrow();

    PolicySet second = PolicyLoader.load(dir, parsed).policies().orElseThrow();

    assertThat(second.routes().get(0)).isSameAs(first.routes().get(0));
    // the certificate may have been rotated in place: its gateway is read again
    assertThat(second.gateways().get(0))
        .isNotSameAs(first.gateways().get(0))
        .isEqualTo(first.gateways().get(0));
  }
}
