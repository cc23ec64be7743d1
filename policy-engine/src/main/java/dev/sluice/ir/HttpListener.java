package dev.sluice.ir;

import java.util.List;

/** A plain-HTTP listener and its virtual hosts, in match order. */
public record HttpListener(String name, String address, int port, List<VirtualHost> virtualHosts) {
  public HttpListener {
    virtualHosts = List.copyOf(virtualHosts);
  }

  /** The RDS name: one route table per listener. */
  public String routeConfigName() {
    return name;
  }
}
