package dev.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void portsAreDistinctBindableAndNeverFromTheKernelsEphemeralRange() throws Exception {
    String[] range =
        Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
            .get(0)
            .trim()
            .split("\\s+");
    int ephemeralLow = Integer.parseInt(range[0]);
    int ephemeralHigh = Integer.parseInt(range[1]);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = FreePorts.next();
      assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
      assertThat(port < ephemeralLow || port > ephemeralHigh)
          .as("port %d in %d-%d", port, ephemeralLow, ephemeralHigh)
          .isTrue();
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
      }
    }
  }

  @Test
  void theRangeNeverTakesAPortTheQuickstartOrTheDemoUses() throws Exception {
    Set<Integer> documented = new HashSet<>();
    for (String script : new String[] {"scripts/quickstart", "scripts/demo"}) {
      Matcher m =
          Pattern.compile("(?m)^(?:require_free_ports|PORTS=\"?)([0-9 ]+)")
              .matcher(Files.readString(RepoPaths.resolve(script)));
      while (m.find()) {
        for (String port : m.group(1).trim().split(" +", 0)) {
          if (!port.isEmpty()) {
            documented.add(Integer.parseInt(port));
          }
        }
      }
    }
    assertThat(documented).as("the ports the scripts check are free").contains(18000, 21003);
    assertThat(documented).allMatch(p -> p < FreePorts.FIRST || p >= FreePorts.END);
  }
}
