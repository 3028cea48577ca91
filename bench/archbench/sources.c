/* The report's prices, published figures and cited sources (see sources.h).
 * The first rows were written into archbench on 2026-11-28; a row changed later
 * gets the date its source was read again (2026-12-03: every row the report's
 * review questioned, each re-read at its source). */
#include "sources.h"

#include <math.h>

const struct source sources[SOURCE_N] = {
    [SOURCE_LAMBDA_GB_SECOND] = {
        "AWS Lambda duration price, x86, first tier (USD per GB-s)", 0.0000166667, 10,
        "https://aws.amazon.com/lambda/pricing/", "2026-11-28"},
    [SOURCE_LAMBDA_REQUESTS] = {
        "AWS Lambda request price (USD per million requests)", 0.20, 2,
        "https://aws.amazon.com/lambda/pricing/", "2026-11-28"},
    [SOURCE_LAMBDA_VCPU_MB] = {
        "AWS Lambda: 'At 1,769 MB, a function has the equivalent of one vCPU' (CPU in "
        "proportion to memory: a 128 MB instance gets about 7 % of one) (MB)", 1769, 0,
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html", "2026-12-03"},
    [SOURCE_LAMBDA_INIT_BILLING] = {
        "Since 1 August 2025 AWS Lambda bills the INIT phase (a cold start's Init Duration) "
        "like the invocation itself, for every function configuration", NAN, 0,
        "https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/",
        "2026-12-03"},
    [SOURCE_APIGW_HTTP_REQUESTS] = {
        "Amazon API Gateway HTTP APIs, us-east-1, first 300 million requests a month "
        "(USD per million requests)", 1.00, 2,
        "https://docs.aws.amazon.com/whitepapers/latest/"
        "best-practices-api-gateway-private-apis-integration/cost-optimization.html",
        "2026-12-03"},
    [SOURCE_EC2_HOURLY] = {
        "Amazon EC2 " SOURCE_EC2_INSTANCE " on demand, Linux, us-east-1 (USD per hour): "
        "USD 62.05 for 730 hours in infracost's output", 0.085, 3,
        "https://gist.github.com/alikhajeh1/6107727c5218382b9cc6af69be562111", "2026-12-03"},
    [SOURCE_EC2_VCPUS] = {
        "Amazon EC2 " SOURCE_EC2_INSTANCE ": vCPUs", 2, 0,
        "https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html", "2026-12-03"},
    [SOURCE_EC2_MEMORY_GIB] = {
        "Amazon EC2 " SOURCE_EC2_INSTANCE ": memory (GiB)", 4, 0,
        "https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html", "2026-12-03"},
    [SOURCE_UEDA_THROUGHPUT_LOSS] = {
        "Ueda et al., IISWC 2016: Acme Air's microservice version (Node.js and Java services "
        "in Docker) 'can be 79.2 % lower' in performance than its monolithic version on the "
        "same hardware (%)", 79, 0,
        "https://doi.org/10.1109/IISWC.2016.7581269", "2026-12-03"},
    /* lambda-perf's data (the daily JSON files of github.com/maxday/lambda-perf),
     * 2026-07-24 to 2026-08-22, the newest read: per configuration (zip package, 128
     * to 1024 MB, x86_64 and arm64), the median of its daily cold starts' Init
     * Durations over those 30 days. */
    [SOURCE_RUST_INIT_LOW] = {
        "lambda-perf: Rust custom runtime (provided.al2023 and provided.al2), lowest "
        "per-configuration median Init Duration over 30 days (ms)", 14, 0,
        "https://maxday.github.io/lambda-perf/", "2026-12-03"},
    [SOURCE_RUST_INIT_HIGH] = {
        "lambda-perf: Rust custom runtime, highest per-configuration median Init Duration "
        "over 30 days (ms)", 17, 0,
        "https://maxday.github.io/lambda-perf/", "2026-12-03"},
    [SOURCE_CPP_INIT_LOW] = {
        "lambda-perf: AWS's C++ runtime on provided.al2023, lowest per-configuration median "
        "Init Duration over 30 days (ms; 15-20 ms on provided.al2)", 49, 0,
        "https://maxday.github.io/lambda-perf/", "2026-12-03"},
    [SOURCE_CPP_INIT_HIGH] = {
        "lambda-perf: AWS's C++ runtime on provided.al2023, highest per-configuration median "
        "Init Duration over 30 days (ms)", 65, 0,
        "https://maxday.github.io/lambda-perf/", "2026-12-03"},
    [SOURCE_LAMBDA_INIT_PHASE] = {
        "AWS Lambda's Init phase, which Init Duration measures: start the extensions, "
        "bootstrap the runtime, run the function's static code, in an execution environment "
        "already created", NAN, 0,
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",
        "2026-12-03"},
    [SOURCE_FIRECRACKER_BOOT] = {
        "Firecracker's specification: at most this from the InstanceStart API call to the "
        "guest's /sbin/init (2 vCPUs, 256 MiB, on an I3.metal host) (ms)", 125, 0,
        "https://github.com/firecracker-microvm/firecracker/blob/main/SPECIFICATION.md",
        "2026-12-03"},
    /* WonderProxy's pings between the cities of its network (Paul Reinheimer,
     * 'Miles per Millisecond', 2011-02-09, its table of pings): a round trip
     * between neighbouring countries and one across the Atlantic. */
    [SOURCE_INTERNET_RTT_LOW] = {
        "WonderProxy: ping (round trip) between Paris and Milan, 21.29 ms (ms)", 21, 0,
        "https://wonderproxy.com/blog/miles-per-milisecond/", "2026-12-03"},
    [SOURCE_INTERNET_RTT_HIGH] = {
        "WonderProxy: ping (round trip) between Baltimore and Paris, 97.75 ms (ms)", 98, 0,
        "https://wonderproxy.com/blog/miles-per-milisecond/", "2026-12-03"},
    [SOURCE_SHOPIFY] = {
        "Shopify's core platform is a modular monolith", NAN, 0,
        "https://shopify.engineering/deconstructing-monolith-designing-software-maximizes-developer-productivity",
        "2026-11-28"},
    [SOURCE_STACK_OVERFLOW] = {
        "Stack Overflow's architecture, 2016: a monolith on 11 IIS web servers and 4 SQL "
        "Servers", NAN, 0,
        "https://nickcraver.com/blog/2016/02/17/stack-overflow-the-architecture-2016-edition/",
        "2026-12-03"},
    [SOURCE_PRIME_VIDEO] = {
        "Prime Video's monitoring service: from serverless components to one process, "
        "over 90 % cheaper; it had hit a scaling limit at about 5 % of the expected load", NAN, 0,
        "https://www.primevideotech.com/video-streaming/scaling-up-the-prime-video-audio-video-monitoring-service-and-reducing-costs-by-90",
        "2026-11-28"},
    [SOURCE_NETFLIX] = {
        "Netflix's move from a monolith to microservices in the cloud, finished in 2016", NAN, 0,
        "https://about.netflix.com/en/news/completing-the-netflix-cloud-migration", "2026-11-28"},
    [SOURCE_UBER] = {
        "Uber: about 2,200 critical microservices, grouped into domains", NAN, 0,
        "https://www.uber.com/blog/microservice-architecture/", "2026-11-28"},
    [SOURCE_AMAZON] = {
        "Amazon.com's CTO, 2006: the home page called more than 100 services", NAN, 0,
        "https://queue.acm.org/detail.cfm?id=1142065", "2026-11-28"},
    [SOURCE_IROBOT] = {
        "iRobot's cloud backend runs on AWS Lambda (Ben Kehoe's QCon talk 'Serverless IoT "
        "@iRobot', published by InfoQ on 2018-03-30)", NAN, 0,
        "https://www.infoq.com/presentations/serverless-iot-irobot/", "2026-12-03"},
    /* Replaces Coca-Cola, which rested only on a vendor's blog (dashbird.io); no primary
     * source for it could be found. */
    [SOURCE_BBC] = {
        "BBC Online: 'around half of the BBC's website is rendered serverlessly with AWS "
        "Lambda' (Matthew Clark, head of architecture, 2020)", NAN, 0,
        "https://medium.com/bbc-design-engineering/moving-bbc-online-to-the-cloud-afdfb7c072ff",
        "2026-12-03"},
};
