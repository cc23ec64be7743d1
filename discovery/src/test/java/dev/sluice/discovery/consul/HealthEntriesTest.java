package dev.sluice.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.discovery.Health;
import dev.sluice.discovery.ServiceInstance;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthEntriesTest {
  private static final String ANSWER =
      """
      [
        {"Node": {"Node": "n1", "Address": "10.0.0.1", "Datacenter": "dc1", "Meta": {"zone": "a"}},
         "Service": {"ID": "users-1", "Service": "users", "Tags": ["v1"], "Address": "", "Port": 9001,
                     "Meta": {"version": "1"}, "Weights": {"Passing": 3, "Warning": 1}},
         "Checks": [{"Status": "passing"}, {"Status": "passing"}]},
        {"Node": {"Node": "n2", "Address": "10.0.0.2", "Datacenter": "dc1", "Meta": {}},
         "Service": {"ID": "users-2", "Service": "users", "Tags": ["v2"], "Address": "192.168.1.2", "Port": 9002,
                     "Meta": {"zone": "b"}, "Weights": {"Passing": 1, "Warning": 2}},
         "Checks": [{"Status": "passing"}, {"Status": "warning"}]},
        {"Node": {"Node": "n3", "Address": "10.0.0.3", "Datacenter": "dc1"},
         "Service": {"ID": "users-3", "Service": "users", "Tags": [], "Address": "", "Port": 9003},
         "Checks": [{"Status": "critical"}]},
        {"Node": {"Node": "n4", "Address": "10.0.0.4", "Datacenter": "dc1"},
         "Service": {"ID": "users-4", "Service": "users", "Tags": [], "Address": "", "Port": 9004,
                     "Weights": {"Passing": 0, "Warning": 0}},
         "Checks": []}
      ]
      """;

  private static List<ServiceInstance> read(boolean includeWarning) throws Exception {
    return HealthEntries.instances(new ObjectMapper().readTree(ANSWER), includeWarning);
  }

  @Test
  void passingInstancesWithAddressFallbackWeightsAndLocality() throws Exception {
    List<ServiceInstance> out = read(false);
    assertThat(out).hasSize(1);
    ServiceInstance i = out.get(0);
    assertThat(i.id()).isEqualTo("n1/users-1");
    assertThat(i.address()).as("Service.Address is empty: Node.Address").isEqualTo("10.0.0.1");
    assertThat(i.port()).isEqualTo(9001);
    assertThat(i.tags()).containsExactly("v1");
    assertThat(i.meta()).containsEntry("version", "1");
    assertThat(i.weight()).isEqualTo(3);
    assertThat(i.region()).isEqualTo("dc1");
    assertThat(i.zone()).as("from node meta").isEqualTo("a");
    assertThat(i.health()).isEqualTo(Health.PASSING);
  }

  @Test
  void warningInstancesOnlyWhenAskedForWithTheirWarningWeight() throws Exception {
    List<ServiceInstance> out = read(true);
    assertThat(out).extracting(ServiceInstance::id).containsExactly("n1/users-1", "n2/users-2");
    ServiceInstance w = out.get(1);
    assertThat(w.health()).isEqualTo(Health.WARNING);
    assertThat(w.weight()).isEqualTo(2);
    assertThat(w.address()).isEqualTo("192.168.1.2");
    assertThat(w.zone()).as("service meta wins").isEqualTo("b");
  }

  @Test
  void instancesEnvoyCannotUseAreDroppedNamingServiceInstanceAndProblem() throws Exception {
    String answer =
        """
        [
          {"Node": {"Node": "n1", "Address": "10.0.0.1"}, "Service": {"ID": "ok", "Address": "", "Port": 9001}, "Checks": []},
          {"Node": {"Node": "n1", "Address": "10.0.0.1"}, "Service": {"ID": "v6", "Address": "fd00::1", "Port": 9001}, "Checks": []},
          {"Node": {"Node": "n1", "Address": "10.0.0.1"}, "Service": {"ID": "host", "Address": "users.example.internal", "Port": 9001}},
          {"Node": {"Node": "n2", "Address": "db.internal"}, "Service": {"ID": "nodehost", "Address": "", "Port": 9001}},
          {"Node": {"Node": "n1", "Address": "10.0.0.1"}, "Service": {"ID": "big", "Port": 70000}},
          {"Node": {"Node": "n1", "Address": "10.0.0.1"}, "Service": {"ID": "zero", "Port": 0}},
          {"Node": {"Node": "n1", "Address": "10.0.0.1"}, "Service": {"ID": "text", "Port": "9001"}},
          {"Node": {"Node": "n1", "Address": "10.0.0.1"}, "Service": {"Port": 9001}},
          {"Node": {"Node": "n3"}, "Service": {"ID": "noaddr", "Port": 9001}},
          {"Node": "n1", "Service": "users"},
          42,
          {"Node": {"Node": "n1", "Address": "10.0.0.1"}, "Service": {"ID": "critical", "Address": "bad host", "Port": 0},
           "Checks": [{"Status": "critical"}]}
        ]
        """;
    HealthEntries.Read read =
        HealthEntries.read("users", new ObjectMapper().readTree(answer), false);
    assertThat(read.instances()).extracting(ServiceInstance::id).containsExactly("n1/ok", "n1/v6");
    assertThat(read.dropped())
        .containsExactly(
            "service users: instance n1/host dropped: address 'users.example.internal' is not an IP address (Sluice does not resolve hostnames)",
            "service users: instance n2/nodehost dropped: address 'db.internal' is not an IP address (Sluice does not resolve hostnames)",
            "service users: instance n1/big dropped: port 70000 is not between 1 and 65535",
            "service users: instance n1/zero dropped: port 0 is not between 1 and 65535",
            "service users: instance n1/text dropped: port \"9001\" is not between 1 and 65535",
            "service users: instance n1/ dropped: no service ID",
            "service users: instance n3/noaddr dropped: no address (neither Service.Address nor Node.Address)",
            "service users: entry 10 dropped: not an object with a Service",
            "service users: entry 11 dropped: not an object with a Service");
  }

  @Test
  void aServiceNameInAWarningIsPrintableAndShort() throws Exception {
    String answer =
        "[{\"Node\": {\"Node\": \"n1\", \"Address\": \"10.0.0.1\"}, \"Service\": {\"ID\": \"x\", \"Port\": 0}}]";
    String name = "evil\nWARN forged line" + "x".repeat(200);
    HealthEntries.Read read = HealthEntries.read(name, new ObjectMapper().readTree(answer), false);
    assertThat(read.dropped())
        .singleElement()
        .asString()
        .startsWith("service evil?WARN forged line")
        .doesNotContain("\n")
        .hasSizeLessThan(160);
  }
}
