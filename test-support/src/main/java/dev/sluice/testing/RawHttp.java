package dev.sluice.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request written by hand on a socket, optionally from a chosen loopback address: HTTP
 * clients normalise paths and refuse odd headers themselves, which would hide what Envoy does.
 */
public final class RawHttp {
  private RawHttp() {}

  /**
   * The status code, the response headers (lower-case names) and the body of a response with a
   * Content-Length.
   */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name);
    }
  }

  /**
   * @param from the local address to connect from (any 127.x.y.z on Linux), or null for the default
   * @param headers lines like {@code "X-Forwarded-For: 10.0.0.1"}; a {@code Host} line replaces the
   *     default {@code Host: gateway}
   */
  public static Response send(String from, int port, String method, String path, String... headers)
      throws Exception {
    try (Socket s = new Socket()) {
      if (from != null) {
        s.bind(new InetSocketAddress(from, 0));
      }
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      s.setSoTimeout(5000);
      boolean hostGiven =
          Arrays.stream(headers).anyMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5));
      StringBuilder req =
          new StringBuilder(
              method
                  + " "
                  + path
                  + " HTTP/1.1\r\n"
                  + (hostGiven ? "" : "Host: gateway\r\n")
                  + "Connection: close\r\n");
      if (!method.equals("GET") && !method.equals("HEAD")) {
        req.append("Content-Length: 0\r\n");
      }
      for (String h : headers) {
        req.append(h).append("\r\n");
      }
      req.append("\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      String status = in.readLine();
      Map<String, String> h = new LinkedHashMap<>();
      String line;
      while ((line = in.readLine()) != null && !line.isEmpty()) {
        int colon = line.indexOf(':');
        h.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
      StringBuilder body = new StringBuilder();
      if (!method.equals("HEAD") && h.containsKey("content-length")) {
        for (long n = Long.parseLong(h.get("content-length")); n > 0; n--) {
          int c = in.read();
          if (c < 0) {
            break;
          }
          body.append((char) c);
        }
      }
      return new Response(Integer.parseInt(status.split(" ", 0)[1]), h, body.toString());
    }
  }
}
