package dev.sluice.policy.route.grpcjson;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * gRPC-JSON transcoding on a route: JSON/REST calls reach a gRPC service, described by a protobuf
 * descriptor set that the user compiled ({@code protoc --include_imports
 * --descriptor_set_out=...}).
 *
 * @param descriptorSet the file's bytes, read when the policy was loaded (a record of a byte array
 *     would compare by identity, so the bytes are kept as an immutable list-free copy)
 */
// compares its bytes by content: equals and hashCode below
@SuppressWarnings("ArrayRecordComponent")
public record GrpcJsonSpec(Path file, byte[] descriptorSet, List<String> services) {
  public GrpcJsonSpec {
    descriptorSet = descriptorSet.clone();
    services = List.copyOf(services);
  }

  @Override
  public byte[] descriptorSet() {
    return descriptorSet.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GrpcJsonSpec g
        && g.file.equals(file)
        && Arrays.equals(g.descriptorSet, descriptorSet)
        && g.services.equals(services);
  }

  @Override
  public int hashCode() {
    return Objects.hash(file, Arrays.hashCode(descriptorSet), services);
  }

  @Override
  public String toString() {
    return "GrpcJsonSpec[" + file + ", " + descriptorSet.length + " bytes, " + services + "]";
  }
}
