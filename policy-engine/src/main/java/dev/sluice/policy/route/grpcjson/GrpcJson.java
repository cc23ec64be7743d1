package dev.sluice.policy.route.grpcjson;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.sluice.yaml.Fields;
import dev.sluice.yaml.YamlNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 *
 *
 * <pre>
 * grpcJson:
 *   descriptorSet: protos/greeter.pb     # relative to the policy file
 *   services: [helloworld.Greeter]       # default: every service in the set
 * </pre>
 *
 * The file is read and checked when policies load — it must parse as a FileDescriptorSet and hold
 * the services named — so Envoy never sees a descriptor it would reject.
 */
public final class GrpcJson {
  private GrpcJson() {}

  public static Optional<GrpcJsonSpec> read(YamlNode n, Fields f) {
    if (n.isAbsent() || !f.object(n, Set.of("descriptorSet", "services"))) {
      return Optional.empty();
    }
    Optional<String> file = f.requiredString(n.get("descriptorSet"));
    List<String> wanted = f.strings(n.get("services"));
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Path base = n.file() == null ? Path.of(".") : n.file().toAbsolutePath().getParent();
    Path path = base.resolve(file.get()).normalize();
    f.diagnostics().referencedFile(path);
    byte[] bytes;
    FileDescriptorSet set;
    try {
      bytes = Files.readAllBytes(path);
      set = FileDescriptorSet.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      f.error(
          n.get("descriptorSet"),
          path
              + " is not a protobuf descriptor set (make one with protoc --include_imports --descriptor_set_out=...)");
      return Optional.empty();
    } catch (NoSuchFileException e) {
      f.error(n.get("descriptorSet"), "no such file: " + path);
      return Optional.empty();
    } catch (IOException e) {
      f.error(n.get("descriptorSet"), "cannot read " + path + ": " + e.getMessage());
      return Optional.empty();
    }
    Set<String> available = new TreeSet<>();
    for (FileDescriptorProto fd : set.getFileList()) {
      for (ServiceDescriptorProto s : fd.getServiceList()) {
        available.add(
            fd.getPackage().isEmpty() ? s.getName() : fd.getPackage() + "." + s.getName());
      }
    }
    if (available.isEmpty()) {
      f.error(n.get("descriptorSet"), path + " holds no gRPC service");
      return Optional.empty();
    }
    for (int i = 0; i < wanted.size(); i++) {
      if (!available.contains(wanted.get(i))) {
        f.error(
            n.get("services").isArray() ? n.get("services").elements().get(i) : n.get("services"),
            "service \""
                + wanted.get(i)
                + "\" is not in "
                + path.getFileName()
                + " (it has "
                + String.join(", ", available)
                + ")");
      }
    }
    return Optional.of(
        new GrpcJsonSpec(path, bytes, wanted.isEmpty() ? List.copyOf(available) : wanted));
  }
}
