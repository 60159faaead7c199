# CPU image: docker build -t char-rnn-service .
# Run:       docker run -p 8080:8080 -v charrnn-data:/data --memory 4g char-rnn-service

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY src src
RUN ./mvnw -B -q package -DskipTests && cp target/char-rnn-service-*.jar /app.jar

FROM eclipse-temurin:17-jre
# Non-root user with a writable home: JavaCPP unpacks ND4J's natives to ~/.javacpp/cache.
RUN useradd --create-home --uid 10001 charrnn \
 && mkdir -p /data/models /data/corpora \
 && chown -R charrnn:charrnn /data
COPY --from=build /app.jar /opt/char-rnn-service/app.jar
COPY --chmod=755 src/main/docker/entrypoint.sh /opt/char-rnn-service/entrypoint.sh
USER charrnn
ENV HOME=/home/charrnn
# models/ and corpora/ resolve against the working directory.
WORKDIR /data
VOLUME ["/data/models", "/data/corpora"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /actuator/health HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && grep -q "\"UP\"" <&3'
ENTRYPOINT ["/opt/char-rnn-service/entrypoint.sh"]
