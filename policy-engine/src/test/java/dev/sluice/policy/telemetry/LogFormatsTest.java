package dev.sluice.policy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.policy.telemetry.TelemetrySpec.LoggedInput;
import dev.sluice.yaml.Diagnostics;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.Finding;
import dev.sluice.yaml.YamlFiles;
import dev.sluice.yaml.YamlNode;
import dev.sluice.yaml.YamlSyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What access-log formats pass: Envoy's commands as Envoy 1.40 accepts them, no credential, no
 * query string.
 */
class LogFormatsTest {
  private static YamlNode node() {
    try {
      return YamlFiles.parse(Path.of("p.yaml"), "f: x\n").get(0).node().get("f");
    } catch (YamlSyntaxException e) {
      throw new AssertionError(e);
    }
  }

  private static List<Finding> findings(String format) {
    Diagnostics d = new Diagnostics();
    YamlNode node = node();
    LogFormats.check(format, node, new Fields(d, "Gateway/edge"));
    return d.findings();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "%START_TIME%",
        "%START_TIME(%s.%3f)%",
        "%REQ(user-agent)%",
        "%REQ(x-a?x-b):10%",
        "%RESP(content-type)%",
        "%PATH(NQ)%",
        "%PATH(NQ:ORIG_OR_PATH):100%",
        "%GRPC_STATUS(NUMBER)%",
        "%RESPONSE_CODE_DETAILS(ALLOW_WHITESPACES)%",
        "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT(24)%",
        "%QUERY_PARAM(page)%",
        "%DYNAMIC_METADATA(envoy.lb:canary)%",
        "%REQUESTED_SERVER_NAME(SNI_FIRST)%",
        "plain text",
        "100%% sure",
        "[%START_TIME%] %RESPONSE_CODE% %ROUTE_NAME%\n",
      })
  void accepted(String format) {
    assertThat(findings(format)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "%REQ(authorization)%",
        "%REQ(Cookie)%",
        "%RESP(set-cookie)%",
        "%REQ(x-api-key)%",
        "%REQ(x-auth-token)%",
        "%REQ(user-agent?authorization)%",
        "%REQ(:path)%",
        "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
        "%PATH%",
        "%PATH(WQ)%",
        "%QUERY_PARAM(api_key)%",
        "%QUERY_PARAM(access_token)%",
        "%ENVIRONMENT(HOME)%",
        "%FILTER_STATE(a)%",
        "%CEL(request.path)%",
        "%DURATION:5%",
        "%REQ%",
        "%REQ(a?b?c)%",
        "%RESPONSE_COD%",
        "%req(x)%",
        "50%",
        "%PATH(XX)%",
        "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT(200)%",
        "%START_TIME()%",
      })
  void refused(String format) {
    assertThat(findings(format)).hasSize(1);
  }

  @Test
  void everyOfferedCommandIsKnownAndTheInputsAreReported() {
    assertThat(LogFormats.known()).doesNotContainAnyElementsOf(LogFormats.REFUSED.keySet());
    Diagnostics d = new Diagnostics();
    YamlNode node = node();
    List<LoggedInput> in =
        LogFormats.check(
            "%REQ(X-Tenant?x-org)% %QUERY_PARAM(page)%", node, new Fields(d, "Gateway/edge"));
    assertThat(in).extracting(LoggedInput::name).containsExactly("x-tenant", "x-org", "page");
  }

  @Test
  void credentialNamesAreRecognisedByTheirParts() {
    assertThat(LogFormats.isCredential("x-api-key")).isTrue();
    assertThat(LogFormats.isCredential("X-Amz-Signature")).isTrue();
    assertThat(LogFormats.isCredential("x-session-id")).isTrue();
    assertThat(LogFormats.isCredential("x-monkey")).isFalse();
    assertThat(LogFormats.isCredential("x-request-id")).isFalse();
  }
}
