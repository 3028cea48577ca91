/* The cost model (see cost.h). */
#include "cost.h"

#include <math.h>
#include <string.h>

#include "sources.h"

const double cost_rates[COST_NRATES] = {10, 100, 1000};

static double price(enum source_id id) { return sources[id].value; }

/* Instances a server architecture needs at rps: the CPU it measured per request,
 * every instance at most COST_TARGET_UTIL busy, never fewer than the minimum. */
static double instances_at(const struct arch_figures *f, double rps)
{
    double busy = rps * f->cpu_us * 1e-6 / (price(SOURCE_EC2_VCPUS) * COST_TARGET_UTIL);
    double n = ceil(busy - 1e-9);
    return n < COST_MIN_INSTANCES ? COST_MIN_INSTANCES : n;
}

/* USD for one request on the serverless platform, and its INIT share. */
static double lambda_request(const struct arch_figures *f, double *init_share)
{
    double gb = f->memory_mb / 1024.0;
    double cold = f->measured_requests > 0 ? (double)f->measured_cold / f->measured_requests : 0;
    double init_ms = isfinite(f->init_p50_ms[MODE_EXEC]) ? ceil(f->init_p50_ms[MODE_EXEC]) : 0;
    *init_share = gb * cold * init_ms / 1000.0 * price(SOURCE_LAMBDA_GB_SECOND);
    return (price(SOURCE_LAMBDA_REQUESTS) + price(SOURCE_APIGW_HTTP_REQUESTS)) / 1e6 +
           gb * f->billed_mean_ms / 1000.0 * price(SOURCE_LAMBDA_GB_SECOND) + *init_share;
}

static bool priceable(const struct arch_figures *f, int a)
{
    if (f == NULL)
        return false;
    if (a == SUT_SERVERLESS)
        return f->has_cold && isfinite(f->billed_mean_ms) && f->memory_mb > 0;
    return isfinite(f->cpu_us) && f->cpu_us > 0;
}

double cost_month_at(const struct run_figures *m, int a, double rps)
{
    const struct arch_figures *f = figures_arch(m, a);
    if (!priceable(f, a))
        return NAN;
    if (a == SUT_SERVERLESS) {
        double init;
        return lambda_request(f, &init) * rps * 3600 * COST_HOURS_PER_MONTH;
    }
    return instances_at(f, rps) * price(SOURCE_EC2_HOURLY) * COST_HOURS_PER_MONTH;
}

void cost_of(const struct run_figures *m, int a, struct cost_arch *out)
{
    memset(out, 0, sizeof *out);
    const struct arch_figures *f = figures_arch(m, a);
    if (!priceable(f, a))
        return;
    out->present = true;
    for (int i = 0; i < COST_NRATES; i++) {
        out->month[i] = cost_month_at(m, a, cost_rates[i]);
        out->instances[i] = a == SUT_SERVERLESS ? NAN : instances_at(f, cost_rates[i]);
    }
    if (a == SUT_SERVERLESS) {
        double init;
        out->per_million = lambda_request(f, &init) * 1e6;
        out->init_per_million = init * 1e6;
        out->cold_per_million =
            f->measured_requests > 0 ? 1e6 * f->measured_cold / f->measured_requests : NAN;
        out->memory_mb = f->memory_mb;
        out->fits = true;
        return;
    }
    /* at full instances: the hour's price over the requests it serves at the target */
    double per_hour = price(SOURCE_EC2_VCPUS) * COST_TARGET_UTIL * 3600 / (f->cpu_us * 1e-6);
    out->per_million = price(SOURCE_EC2_HOURLY) / per_hour * 1e6;
    out->memory_mb = f->peak_pss_mb;
    out->fits = !(f->peak_pss_mb > price(SOURCE_EC2_MEMORY_GIB) * 1024); /* n/a: unknown */
    out->init_per_million = out->cold_per_million = NAN;
}
