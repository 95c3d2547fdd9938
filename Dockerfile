# A static tlsaudit binary on a small image: CA roots for the "system"
# trust store, a non-root user.
#
#   docker build -t tlsaudit .
#   docker run --rm tlsaudit example.com
#
# docs/k8s/tlsaudit-job.yaml runs this image as an Indexed Job (its command
# overrides the entrypoint: sh -c "exec tlsaudit ...").

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: a static binary (pure-Go DNS resolver, no libc). VERSION
# names a release (docker build --build-arg VERSION=v1.2.0); without it the
# binary reports the module version from its build information.
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/tlsaudit ./cmd/tlsaudit

# Alpine rather than scratch: the Kubernetes example runs the binary
# through sh (shard index from the environment, output appended to a file).
FROM alpine:3.21
RUN apk add --no-cache ca-certificates \
 && adduser -D -H -u 10001 tlsaudit
# The system store is read from /etc/ssl/certs/ca-certificates.crt.
COPY --from=build /out/tlsaudit /usr/local/bin/tlsaudit
# The binary writes only to stdout, stderr and the files its flags name
# (mount a volume for --html or --resume).
USER tlsaudit
ENTRYPOINT ["/usr/local/bin/tlsaudit"]
CMD ["--help"]
