/* build/peers/probe: the simplest possible HTTP client, the latency floor loadgen is
 * compared against at one connection (bench/peers/bench-loadgen.sh). One blocking socket,
 * one request at a time: clock, send, recv until the whole response is in (framed by
 * the project's response parser), clock. It prints the median and 99th percentile
 * of the round trips it timed, in microseconds.
 *
 *   lg-probe HOST PORT PATH SECONDS  ->  "requests 123456 p50_us 41.2 p99_us 80.1" */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "http_response.h"

#define PROBE_MAX_SAMPLES 20000000

static int probe_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reads one response on a kept-alive connection. */
static int probe_response(int fd, struct http_response_parser *p, char *buf, size_t cap)
{
    http_response_reset(p);
    for (;;) {
        ssize_t n = recv(fd, buf, cap, 0);
        if (n <= 0)
            return -1;
        size_t used;
        switch (http_response_parse(p, buf, (size_t)n, &used)) {
        case HTTP_RESPONSE_MORE: continue;
        case HTTP_RESPONSE_DONE: return p->keep_alive && used == (size_t)n ? 0 : -1;
        case HTTP_RESPONSE_ERROR: return -1;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: lg-probe HOST PORT PATH SECONDS\n");
        return 2;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
        fprintf(stderr, "lg-probe: HOST must be an IPv4 address\n");
        return 2;
    }
    double seconds = atof(argv[4]);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("lg-probe: connect");
        return 1;
    }
    char req[512], buf[65536];
    static struct http_response_parser parser;
    int rl = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n\r\n", argv[3],
                      argv[1], argv[2]);
    double *samples = malloc(PROBE_MAX_SAMPLES * sizeof *samples);
    if (samples == NULL)
        return 1;
    size_t n = 0;
    double end = ((double)clock_now_ns() / 1e3) + seconds * 1e6;
    while (n < PROBE_MAX_SAMPLES) {
        double t0 = ((double)clock_now_ns() / 1e3);
        if (t0 >= end)
            break;
        if (send(fd, req, (size_t)rl, 0) != rl || probe_response(fd, &parser, buf, sizeof buf) != 0) {
            fprintf(stderr, "lg-probe: connection failed after %zu requests\n", n);
            return 1;
        }
        samples[n++] = ((double)clock_now_ns() / 1e3) - t0;
    }
    close(fd);
    qsort(samples, n, sizeof *samples, probe_cmp);
    printf("requests %zu p50_us %.1f p99_us %.1f\n", n, n ? samples[(n - 1) / 2] : 0.0,
           n ? samples[(size_t)((double)(n - 1) * 0.99)] : 0.0);
    free(samples);
    return 0;
}
