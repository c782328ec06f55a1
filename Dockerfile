# ditio-payroll-sync as a container: the service (`run`), health and metrics on port 8080.
#
#   docker build --build-arg GIT_COMMIT=$(git rev-parse HEAD) -t ditio-payroll-sync .
#   docker run -e DITIO_CLIENT_ID -e DITIO_CLIENT_SECRET -e PAYROLL_START_DATE=2026-01-01 \
#       -e OBSERVE_USER=ops -e OBSERVE_PASSWORD \
#       -v sync-data:/app/data -v sync-out:/app/out -p 127.0.0.1:8080:8080 ditio-payroll-sync
#
# routes/, application.properties and mappings/ in /app are the packaged defaults: mount your own over
# them (-v ./routes:/app/routes:ro). No secret is in the image: DITIO_CLIENT_SECRET and the database
# passwords come from the environment at run time. Other commands: docker run … ditio-payroll-sync check

# ---- build: the fat jar (the tests run in CI, not here) -----------------------------------------
FROM maven:3.9.9-eclipse-temurin-17 AS build
ARG GIT_COMMIT=unknown
WORKDIR /build
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src ./src
COPY routes ./routes
COPY mappings ./mappings
COPY application.properties ./
# no .git in the build context (.dockerignore): the commit for --version comes from the build argument
RUN mvn -B -q -DskipTests -Dgit.commit.id=${GIT_COMMIT} package

# ---- runtime: a slim Java 17 runtime, pinned ------------------------------------------------------
FROM eclipse-temurin:17.0.15_6-jre-jammy
# the version label: pom.xml's <version>, which --version prints; kept in step with it
ARG VERSION=0.1.0-SNAPSHOT
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="ditio-payroll-sync" \
      org.opencontainers.image.description="Syncs Ditio time registrations into payroll drops and a JDBC table, exactly once" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_COMMIT}"

# a user of its own, no login, no root: payroll data is personal data
RUN groupadd --system --gid 10001 sync && useradd --system --uid 10001 --gid sync --no-create-home sync
WORKDIR /app
COPY --from=build /build/target/ditio-payroll-sync.jar /app/ditio-payroll-sync.jar
COPY --from=build /build/application.properties /app/application.properties
COPY --from=build /build/routes /app/routes
COPY --from=build /build/mappings /app/mappings
RUN mkdir -p /app/data /app/out && chown sync:sync /app/data /app/out && chmod 0700 /app/data /app/out
USER 10001:10001

# the state DB (H2 by default: ./data) and the drop folders (./out) outlive the container
VOLUME ["/app/data", "/app/out"]
# the page, health and metrics on every interface of the container (the default binds loopback only);
# so run refuses to start without OBSERVE_USER and OBSERVE_PASSWORD (docker run -e ...), the page's login
ENV OBSERVE_HOST=0.0.0.0 \
    OBSERVE_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${OBSERVE_PORT}/observe/health/ready" > /dev/null || exit 1

# out of memory, the JVM ends (exit status 3) and the container is started again, rather than going on
# with threads that may have died holding the feed's lock; the ledger is safe against a stop at any point
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/ditio-payroll-sync.jar"]
CMD ["run"]
