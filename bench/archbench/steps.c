/* The request step by step from run.json (see steps.h). */
#include "steps.h"

#include <math.h>
#include <string.h>

#include "figures.h"
#include "scenario.h"
#include "sut.h"

/* The floor's repeats, step by step: each step's median (p50_ms) per repeat,
 * the init's sum, and the client's median per repeat. */
struct pooled {
    json_t *p50;              /* {"auth": [p50_ms, ...], ...} */
    double init_sum_ms;
    double answers;           /* answers with a header (the "total" entry's count) */
    double client_p50[64];
    unsigned repeats;
};

static void pool_floor(json_t *sc, struct pooled *p)
{
    json_t *lg = json_object_get(sc, "loadgen");
    json_t *st = json_object_get(lg, "server_timing");
    double n = json_number_value(json_object_get(json_object_get(st, "total"), "count"));
    if (!(n > 0) || p->repeats >= sizeof p->client_p50 / sizeof p->client_p50[0])
        return;
    const char *name;
    json_t *v;
    json_object_foreach(st, name, v)
    {
        json_t *list = json_object_get(p->p50, name);
        if (list == NULL)
            json_object_set_new(p->p50, name, list = json_array());
        json_array_append_new(list, json_real(json_number_value(json_object_get(v, "p50_ms"))));
    }
    p->init_sum_ms += json_number_value(json_object_get(json_object_get(st, "init"), "sum_ms"));
    p->answers += n;
    p->client_p50[p->repeats++] =
        json_number_value(json_object_get(json_object_get(lg, "latency"), "p50")) / 1000;
}

/* The median over the repeats of step name's median; 0 when no answer had it. */
static double median_of(const struct pooled *p, const char *name)
{
    json_t *list = json_object_get(p->p50, name), *v;
    double x[64];
    unsigned n = 0;
    size_t i;
    json_array_foreach(list, i, v) if (n < 64) x[n++] = json_number_value(v);
    return n ? figures_median(x, n) : 0;
}

/* Medians do not add up exactly, so the two remainders close each column: other
 * (the total's median minus the steps') and rest (the client's median minus the
 * total's), and a column sums to the client's median latency at the floor. */
static void rows_of(struct pooled *p, int arch, struct steps_figures *s)
{
    double *ms = s->ms;
    ms[STEP_AUTH] = median_of(p, "auth");
    ms[STEP_DB] = median_of(p, "db");
    ms[STEP_RENDER] = median_of(p, "render");
    if (arch == SUT_MICROSERVICES) {
        ms[STEP_HOP_AUTH] = median_of(p, "auth-call") - median_of(p, "auth-service");
        ms[STEP_HOP_PROFILE] = median_of(p, "profile-call") - median_of(p, "profile-service");
    } else if (arch == SUT_SERVERLESS) {
        ms[STEP_QUEUE] = median_of(p, "queue");
        ms[STEP_INVOKE] = median_of(p, "invoke") - median_of(p, "function");
        ms[STEP_INIT] = p->init_sum_ms / p->answers; /* a cold start is rare: its mean */
    }
    s->server_ms = median_of(p, "total");
    s->client_ms = figures_median(p->client_p50, p->repeats);
    double attributed = 0;
    for (int r = 0; r < STEP_OTHER; r++)
        if (isfinite(ms[r]))
            attributed += ms[r];
    ms[STEP_OTHER] = s->server_ms - attributed;
    ms[STEP_REST] = s->client_ms - s->server_ms;
}

void steps_from_scenarios(json_t *sc_list, int arch, struct steps_figures *s)
{
    memset(s, 0, sizeof *s);
    for (int r = 0; r < STEP_NROWS; r++)
        s->ms[r] = NAN;
    s->server_ms = s->client_ms = NAN;
    if (arch < 0 || arch >= SUT_NARCH)
        return;
    struct pooled p = {.p50 = json_object()};
    size_t i;
    json_t *sc;
    json_array_foreach(sc_list, i, sc)
    {
        const char *name = json_string_value(json_object_get(sc, "name"));
        if (name && strcmp(name, SCENARIO_FLOOR) == 0)
            pool_floor(sc, &p);
    }
    if (p.answers > 0) {
        s->present = true;
        s->answers = (unsigned long long)p.answers;
        rows_of(&p, arch, s);
    }
    json_decref(p.p50);
}

double steps_sum(const struct steps_figures *s)
{
    double sum = 0;
    for (int r = 0; r < STEP_NROWS; r++)
        if (isfinite(s->ms[r]))
            sum += s->ms[r];
    return s->present ? sum : NAN;
}

unsigned steps_round_trips(int arch)
{
    return arch == SUT_MICROSERVICES || arch == SUT_SERVERLESS ? 2 : 0;
}
