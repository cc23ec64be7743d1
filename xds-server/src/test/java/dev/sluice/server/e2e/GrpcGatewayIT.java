package dev.sluice.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.AnnotationsProto;
import com.google.api.HttpProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import dev.sluice.testing.EnvoyExtension;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthProto;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A gRPC service reached through the gateway by JSON (transcoding) and by gRPC-Web. */
class GrpcGatewayIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @RegisterExtension final EnvoyExtension envoys = new EnvoyExtension();

  private Server grpc;
  private SluiceFixture sluice;

  @BeforeEach
  void start() throws Exception {
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("echo", HealthCheckResponse.ServingStatus.SERVING);
    grpc =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(health.getHealthService())
            .build()
            .start();
    sluice = new SluiceFixture();
    sluice.writeRegistry("services:\n  health: [\"127.0.0.1:" + grpc.getPort() + "\"]\n");
    Files.write(sluice.policies.resolve("health.pb"), healthWithHttpRule().toByteArray());
    sluice.writePolicy(
        "gateway.yaml",
        "kind: Gateway\nname: edge\nport: " + sluice.gatewayPort + "\ngrpcWeb: true\n");
    sluice.writePolicy(
        "routes.yaml",
        """
        kind: Route
        name: health-json
        match: {prefix: /v1/}
        to: health
        grpcJson: {descriptorSet: health.pb}
        ---
        kind: Route
        name: health
        match: {prefix: /grpc.health.v1.Health/}
        to: health
        ---
        kind: Upstream
        name: health
        protocol: grpc
        """);
    sluice.start();
    envoys.startEdge(sluice.xdsPort).awaitReady(Duration.ofSeconds(20));
  }

  /**
   * What users make with {@code protoc --include_imports --descriptor_set_out}: the health service,
   * its Check method mapped to {@code POST /v1/health:check} by a google.api.http rule, and the
   * files it imports.
   */
  private static FileDescriptorSet healthWithHttpRule() {
    FileDescriptorProto.Builder health =
        HealthProto.getDescriptor().toProto().toBuilder()
            .addDependency("google/api/annotations.proto");
    ServiceDescriptorProto.Builder service = health.getService(0).toBuilder();
    for (MethodDescriptorProto.Builder m : service.getMethodBuilderList()) {
      if (m.getName().equals("Check")) {
        m.setOptions(
            MethodOptions.newBuilder()
                .setExtension(
                    AnnotationsProto.http,
                    HttpRule.newBuilder().setPost("/v1/health:check").setBody("*").build()));
      }
    }
    health.setService(0, service);
    return FileDescriptorSet.newBuilder()
        .addFile(DescriptorProtos.getDescriptor().toProto())
        .addFile(HttpProto.getDescriptor().toProto())
        .addFile(AnnotationsProto.getDescriptor().toProto())
        .addFile(health.build())
        .build();
  }

  @AfterEach
  void stop() {
    sluice.close();
    grpc.shutdownNow();
  }

  @Test
  void aJsonPostReachesTheGrpcServiceAndItsReplyComesBackAsJson() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sluice.gatewayPort + "/v1/health:check"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"service\": \"echo\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("body %s", r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .get()
        .asString()
        .startsWith("application/json");
    assertThat(r.body().replace(" ", "")).isEqualTo("{\"status\":\"SERVING\"}");
  }

  @Test
  void aGrpcWebCallIsAnsweredInGrpcWebFraming() throws Exception {
    byte[] message = HealthCheckRequest.newBuilder().setService("echo").build().toByteArray();
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(frame);
    out.writeByte(0);
    out.writeInt(message.length);
    out.write(message);
    HttpResponse<byte[]> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + sluice.gatewayPort + "/grpc.health.v1.Health/Check"))
                .header("content-type", "application/grpc-web+proto")
                .header("x-grpc-web", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(frame.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
    ByteBuffer body = ByteBuffer.wrap(r.body());
    assertThat(body.get()).as("a data frame first").isEqualTo((byte) 0);
    int length = body.getInt();
    HealthCheckResponse reply =
        HealthCheckResponse.parseFrom(Arrays.copyOfRange(r.body(), 5, 5 + length));
    assertThat(reply.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(r.body()[5 + length] & 0x80).as("then the trailers frame").isEqualTo(0x80);
  }
}
