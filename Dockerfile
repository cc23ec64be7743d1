# The Sluice server image: a build stage compiles the fat jar with the Maven wrapper (the same
# build as scripts/build-jar), a runtime stage runs it on a JRE as a non-root user.
#
#   docker build -t sluice .                                   (from the repository root)
#   docker run --rm sluice --help
#   docker compose -f compose/docker-compose.yml up --build    (the quickstart builds it too)
#
# The build fetches Maven and the dependencies from Maven Central: a few minutes the first time.
# It needs BuildKit (the default builder since Docker Engine 23 and in Docker Desktop), which keeps
# the Maven repository in a cache mount so that later builds reuse it.
#
# Ports: 18000 ADS (gRPC), 18001 admin (/ready, /status, /metrics), 18002 global rate-limit service.
# Volumes worth mounting: the policy folder (--policies), the mesh CA folder (--mesh-ca-dir,
# /var/lib/sluice/ca) and the control-plane CA folder (--xds-tls-dir, /var/lib/sluice/xds-tls), both
# owned by the image's user 10001 and private to it (a new named volume takes that over).

FROM eclipse-temurin:17.0.15_6-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
# every module the root pom lists: Maven reads them all, even to build only the server
COPY core/ core/
COPY test-support/ test-support/
COPY discovery/ discovery/
COPY policy-engine/ policy-engine/
COPY xds-server/ xds-server/
COPY benchmarks/ benchmarks/
COPY xds-loadtest/ xds-loadtest/
RUN --mount=type=cache,target=/root/.m2 \
    sh ./mvnw -B --no-transfer-progress -pl xds-server -am -DskipTests package \
 && cp xds-server/target/sluice.jar /sluice.jar

FROM eclipse-temurin:17.0.15_6-jre
RUN groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /var/lib/sluice --shell /usr/sbin/nologin sluice \
 && mkdir -p /etc/sluice/policies /var/lib/sluice/ca /var/lib/sluice/xds-tls \
 && chown -R sluice:sluice /var/lib/sluice \
 && chmod 700 /var/lib/sluice/ca /var/lib/sluice/xds-tls
COPY --from=build /sluice.jar /opt/sluice/sluice.jar
USER 10001:10001
WORKDIR /var/lib/sluice
EXPOSE 18000 18001 18002
# Healthy once /ready answers 200: discovery has completed its first sync and policies loaded
# (Sluice serves nothing before). The image has no curl; bash's /dev/tcp speaks the HTTP/1.0.
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/18001 && printf "GET /ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3 && read -r status <&3 && [[ "$status" == "HTTP/1."?" 200"* ]]'
# An OutOfMemoryError ends the process (and the orchestrator restarts it) instead of leaving it up
# with dead threads: a watcher or the admin thread killed, shutdown hanging (docs/operations.md).
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/sluice/sluice.jar"]
CMD ["--help"]
