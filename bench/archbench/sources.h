/* Every price and published figure the report quotes, and every source it cites,
 * in one table with where and when it was read. To update a price, change its
 * row in sources.c: the report computes and prints from the table only. */
#ifndef ARCHBENCH_SOURCES_H
#define ARCHBENCH_SOURCES_H

enum source_id {
    /* prices: the serverless cost model */
    SOURCE_LAMBDA_GB_SECOND,     /* USD per GB-s */
    SOURCE_LAMBDA_REQUESTS,      /* USD per million requests */
    SOURCE_LAMBDA_VCPU_MB,       /* MB of memory that buy one whole vCPU */
    SOURCE_LAMBDA_INIT_BILLING,  /* the INIT phase is billed (cited for its text) */
    SOURCE_APIGW_HTTP_REQUESTS,  /* USD per million HTTP API requests */
    /* prices: the servers' cost model, one named on-demand instance type */
    SOURCE_EC2_HOURLY,           /* USD per hour */
    SOURCE_EC2_VCPUS,            /* its vCPUs */
    SOURCE_EC2_MEMORY_GIB,       /* its memory, GiB */
    /* published results the report compares this run with */
    SOURCE_UEDA_THROUGHPUT_LOSS, /* % */
    SOURCE_RUST_INIT_LOW,        /* ms */
    SOURCE_RUST_INIT_HIGH,       /* ms */
    SOURCE_CPP_INIT_LOW,         /* ms */
    SOURCE_CPP_INIT_HIGH,        /* ms */
    SOURCE_LAMBDA_INIT_PHASE,    /* what Lambda's Init Duration covers (text) */
    SOURCE_FIRECRACKER_BOOT,     /* ms */
    /* a user's round trip over the internet, for the network what-if */
    SOURCE_INTERNET_RTT_LOW,     /* ms */
    SOURCE_INTERNET_RTT_HIGH,    /* ms */
    /* the real use cases (cited for their text: no value) */
    SOURCE_SHOPIFY,
    SOURCE_STACK_OVERFLOW,
    SOURCE_PRIME_VIDEO,
    SOURCE_NETFLIX,
    SOURCE_UBER,
    SOURCE_AMAZON,
    SOURCE_IROBOT,
    SOURCE_BBC,
    SOURCE_N
};

/* The instance type the servers' cost model prices, as the report names it. */
#define SOURCE_EC2_INSTANCE "c6i.large"

struct source {
    const char *what;   /* what the value is, in its unit; or what the page says */
    double value;       /* NAN for a source cited for its text */
    int decimals;       /* how the report prints value */
    const char *url;
    const char *read;   /* YYYY-MM-DD: when value was read from url */
};

extern const struct source sources[SOURCE_N];

#endif
