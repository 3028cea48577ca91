/* What each architecture would cost on AWS at this run's measured figures: US
 * dollars per million requests and per month at a few request rates.
 *
 * Monolith and microservices: on-demand instances of one named type (sources.c),
 * each running one copy of the architecture (its processes' PSS must fit in the
 * instance's memory), as many as the measured CPU per request needs with every
 * instance at most COST_TARGET_UTIL busy, and never fewer than COST_MIN_INSTANCES:
 * a server is paid for every hour whether requests come or not.
 * Serverless: AWS Lambda's request price, its GB-s price for the billed duration
 * of a warm invocation plus, since INIT is billed, each cold start's Init Duration
 * times the cold starts per request measured inside the scenarios, and API Gateway
 * HTTP API's request price (the platform's trigger is modelled on it); nothing
 * while idle. Free tiers, data transfer, storage and a load balancer in front of
 * the instances are left out of all three. */
#ifndef ARCHBENCH_COST_H
#define ARCHBENCH_COST_H

#include <stdbool.h>

#include "figures.h"

#define COST_NRATES 3
extern const double cost_rates[COST_NRATES]; /* req/s: 10, 100, 1,000 */

#define COST_TARGET_UTIL 0.5  /* the usual autoscaling target: half the CPU busy */
#define COST_MIN_INSTANCES 1  /* always on */
#define COST_HOURS_PER_MONTH 730.0

struct cost_arch {
    bool present;           /* the run measured enough to price it */
    double per_million;     /* USD per million requests, at full instances */
    double month[COST_NRATES];
    double instances[COST_NRATES]; /* servers: instances at each rate; serverless: NAN */
    double memory_mb;       /* servers: one copy's PSS; serverless: the function's memory */
    bool fits;              /* servers: that PSS fits in the instance's memory */
    double init_per_million; /* serverless: the INIT share of per_million */
    double cold_per_million; /* serverless: cold starts per million requests measured */
};

/* The cost of system a in run m: an architecture (enum sut_arch), or a target
 * started here, priced as a server like the monolith; a URL target has no CPU or
 * memory measured, so it is never present. */
void cost_of(const struct run_figures *m, int a, struct cost_arch *out);

/* a's monthly cost (USD) at rps requests per second; NAN when it cannot be priced. */
double cost_month_at(const struct run_figures *m, int a, double rps);

#endif
