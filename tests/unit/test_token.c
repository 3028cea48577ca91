/* Unit tests: Authorization header parsing, token encoding, hashing and expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "token.h"

#define GOOD "hBSIpFlxlHu550vyZGee0k7iFwFeS9XrK7mdYAq8ufM"

static void assert_parses(const char *header)
{
    const char *tok = NULL;
    assert_int_equal(token_parse_authorization(header, &tok), TOKEN_OK);
    assert_non_null(tok);
    assert_memory_equal(tok, GOOD, TOKEN_LEN);
}

static void assert_malformed(const char *header)
{
    const char *tok = NULL;
    assert_int_equal(token_parse_authorization(header, &tok), TOKEN_MALFORMED);
}

static void test_valid_bearer_token_is_accepted(void **state)
{
    (void)state;
    assert_parses("Bearer " GOOD);
}

static void test_scheme_is_case_insensitive(void **state)
{
    (void)state;
    assert_parses("bearer " GOOD);
    assert_parses("BEARER " GOOD);
    assert_parses("bEaReR " GOOD);
}

static void test_extra_spaces_around_token_are_tolerated(void **state)
{
    (void)state;
    assert_parses("  Bearer   " GOOD "  ");
}

static void test_missing_or_empty_header_is_missing(void **state)
{
    (void)state;
    const char *tok;
    assert_int_equal(token_parse_authorization(NULL, &tok), TOKEN_MISSING);
    assert_int_equal(token_parse_authorization("", &tok), TOKEN_MISSING);
    assert_int_equal(token_parse_authorization("   ", &tok), TOKEN_MISSING);
}

static void test_short_token_is_malformed(void **state)
{
    (void)state;
    assert_malformed("Bearer hBSIpFlxlHu550vyZGee0k7iFwFeS9XrK7mdYAq8uf");
    assert_malformed("Bearer x");
    assert_malformed("Bearer ");
    assert_malformed("Bearer");
}

static void test_long_token_is_malformed(void **state)
{
    (void)state;
    assert_malformed("Bearer " GOOD "A");
    assert_malformed("Bearer " GOOD GOOD);
}

static void test_bad_characters_are_malformed(void **state)
{
    (void)state;
    /* standard base64 '+' and '/', padding, a dot, non-ASCII, a NUL-free control */
    assert_malformed("Bearer hBSIpFlxlHu550vyZGee0k7iFwFeS9XrK7mdYAq8uf+");
    assert_malformed("Bearer hBSIpFlxlHu550vyZGee0k7iFwFeS9XrK7mdYAq8uf/");
    assert_malformed("Bearer " GOOD "=");
    assert_malformed("Bearer hBSIpFlxlHu550vyZGee0k7iFwFeS9XrK7mdYAq8uf.");
    assert_malformed("Bearer hBSIpFlxlHu550vyZGee0k7iFwFeS9XrK7mdYAq8u\xc3\xa9");
    assert_malformed("Bearer hBSIpFlxlHu550vyZGee0k7iFwFeS9XrK7mdYAq8uf\x01");
}

static void test_wrong_scheme_is_malformed(void **state)
{
    (void)state;
    assert_malformed("Basic " GOOD);
    assert_malformed("Token " GOOD);
    assert_malformed("Bearer:" GOOD);
    assert_malformed("Bearer\t" GOOD);
    assert_malformed("BearerX " GOOD);
    assert_malformed(GOOD);
}

static void test_two_tokens_are_malformed(void **state)
{
    (void)state;
    assert_malformed("Bearer " GOOD " " GOOD);
    assert_malformed("Bearer " GOOD ", Bearer " GOOD);
    assert_malformed("Bearer " GOOD ",");
}

static void test_wellformed_checks_length_and_alphabet(void **state)
{
    (void)state;
    assert_true(token_is_wellformed(GOOD, TOKEN_LEN));
    assert_false(token_is_wellformed(GOOD, TOKEN_LEN - 1));
    assert_true(token_is_wellformed("-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-", TOKEN_LEN));
    assert_false(token_is_wellformed("+_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-", TOKEN_LEN));
}

static void test_sha256_of_token_matches_reference_vector(void **state)
{
    (void)state;
    /* printf %s TOKEN | sha256sum */
    static const unsigned char expect[TOKEN_HASH_LEN] = {
        0xea, 0x6d, 0x18, 0xac, 0x23, 0x7e, 0xa7, 0x91, 0xde, 0xe4, 0x3d,
        0x7e, 0x23, 0xcb, 0x92, 0x66, 0x83, 0xe1, 0x43, 0xc4, 0x66, 0x72,
        0x94, 0x58, 0x17, 0xfb, 0x90, 0x83, 0x45, 0xdd, 0x15, 0x09};
    unsigned char hash[TOKEN_HASH_LEN];
    token_hash(GOOD, hash);
    assert_memory_equal(hash, expect, TOKEN_HASH_LEN);
}

static void test_encode_is_base64url_without_padding(void **state)
{
    (void)state;
    unsigned char raw[TOKEN_RAW_LEN];
    for (int i = 0; i < TOKEN_RAW_LEN; i++)
        raw[i] = (unsigned char)i;
    char out[TOKEN_LEN + 1];
    token_encode(raw, out);
    assert_string_equal(out, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
    memset(raw, 0xff, sizeof raw);
    token_encode(raw, out);
    assert_int_equal(strlen(out), TOKEN_LEN);
    assert_true(token_is_wellformed(out, TOKEN_LEN));
    assert_string_equal(out, "__________________________________________8");
}

static void test_expiry_is_exclusive_of_now(void **state)
{
    (void)state;
    assert_int_equal(token_check_expiry(1000, 999), TOKEN_OK);
    assert_int_equal(token_check_expiry(1000, 1000), TOKEN_EXPIRED);
    assert_int_equal(token_check_expiry(1000, 1001), TOKEN_EXPIRED);
}

static void test_challenge_names_error_only_for_bad_tokens(void **state)
{
    (void)state;
    assert_string_equal(token_result_challenge(TOKEN_MISSING), "Bearer realm=\"archbench\"");
    assert_non_null(strstr(token_result_challenge(TOKEN_EXPIRED), "error=\"invalid_token\""));
    assert_string_not_equal(token_result_detail(TOKEN_UNKNOWN),
                            token_result_detail(TOKEN_EXPIRED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_bearer_token_is_accepted),
        cmocka_unit_test(test_scheme_is_case_insensitive),
        cmocka_unit_test(test_extra_spaces_around_token_are_tolerated),
        cmocka_unit_test(test_missing_or_empty_header_is_missing),
        cmocka_unit_test(test_short_token_is_malformed),
        cmocka_unit_test(test_long_token_is_malformed),
        cmocka_unit_test(test_bad_characters_are_malformed),
        cmocka_unit_test(test_wrong_scheme_is_malformed),
        cmocka_unit_test(test_two_tokens_are_malformed),
        cmocka_unit_test(test_wellformed_checks_length_and_alphabet),
        cmocka_unit_test(test_sha256_of_token_matches_reference_vector),
        cmocka_unit_test(test_encode_is_base64url_without_padding),
        cmocka_unit_test(test_expiry_is_exclusive_of_now),
        cmocka_unit_test(test_challenge_names_error_only_for_bad_tokens),
    };
    return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
