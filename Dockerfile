# syntax=docker/dockerfile:1
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/junction ./cmd/junction \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/junction /usr/local/bin/junction
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME /data
ENV JUNCTION_DATA_DIR=/data \
    JUNCTION_REDIS_ADDR=0.0.0.0:6379 \
    JUNCTION_AMQP_ADDR=0.0.0.0:5672 \
    JUNCTION_KAFKA_ADDR=0.0.0.0:9092 \
    JUNCTION_HTTP_ADDR=0.0.0.0:8080
EXPOSE 6379 5672 9092 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s CMD ["/usr/local/bin/junction", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/junction"]
