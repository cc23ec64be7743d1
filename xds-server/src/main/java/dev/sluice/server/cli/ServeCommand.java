package dev.sluice.server.cli;

import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the control plane: watch the registry and policies, serve ADS.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--registry", required = true, description = "The service registry file (services.yaml).")
  Path registry;

  @Option(names = "--policies", required = true, description = "The folder of policy YAML files.")
  Path policies;

  @Option(names = "--xds-address", defaultValue = "0.0.0.0", description = "Address for ADS (default: ${DEFAULT-VALUE}).")
  String xdsAddress;

  @Option(names = "--xds-port", defaultValue = "18000", description = "Port for ADS (default: ${DEFAULT-VALUE}).")
  int xdsPort;

  @Option(names = "--admin-address", defaultValue = "127.0.0.1", description = "Address for /ready, /status, /metrics (default: ${DEFAULT-VALUE}).")
  String adminAddress;

  @Option(names = "--admin-port", defaultValue = "18001", description = "Admin port (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = "--debounce", defaultValue = "100ms", description = "Quiet time after a file change before reloading (default: ${DEFAULT-VALUE}).",
      converter = DurationConverter.class)
  Duration debounce;

  @Override
  public Integer call() throws InterruptedException {
    ServerOptions options = new ServerOptions(registry, policies, xdsAddress, xdsPort, adminAddress, adminPort, debounce,
        UnaryOperator.identity());
    SluiceServer server = SluiceServer.start(options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "sluice-shutdown"));
    stopped.await();
    return 0;
  }
}
