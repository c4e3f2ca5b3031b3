/* httpurl_test.c - loopback hosts, origins and redaction of URLs. */
#include <stdlib.h>

#include "httpurl.h"
#include "t.h"

static void
test_loopback_hosts(void)
{
	T_EQ_INT(httpurl_host_is_loopback("127.0.0.1"), 1);
	T_EQ_INT(httpurl_host_is_loopback("127.255.0.9"), 1);
	T_EQ_INT(httpurl_host_is_loopback("[::1]"), 1);
	T_EQ_INT(httpurl_host_is_loopback("LocalHost"), 1);
	T_EQ_INT(httpurl_host_is_loopback("10.0.0.1"), 0);
	T_EQ_INT(httpurl_host_is_loopback("127.0.0.1.example.com"), 0);
	T_EQ_INT(httpurl_host_is_loopback("[::2]"), 0);
	T_EQ_INT(httpurl_host_is_loopback(""), 0);
	T_EQ_INT(httpurl_is_loopback("https://user@127.0.0.1:9/"), 1);
	T_EQ_INT(httpurl_is_loopback("https://127.0.0.1@evil.example/"), 0);
}

static void
test_origin_fills_default_ports_and_lowers_case(void)
{
	char *a = httpurl_origin("HTTPS://Contoso.Example/x?y=1");
	char *b = httpurl_origin("https://contoso.example:443/other");
	char *c = httpurl_origin("http://contoso.example/");
	char *d = httpurl_origin("http://[::1]:8080/");
	char *bad = httpurl_origin("::nope");
	int ab = a && b && strcmp(a, b) == 0;

	T_EQ_STR(a, "https://contoso.example:443");
	T_OK(ab);
	T_EQ_STR(c, "http://contoso.example:80");
	T_EQ_STR(d, "http://[::1]:8080");
	T_OK(bad == NULL);
	free(a);
	free(b);
	free(c);
	free(d);
}

static void
test_redaction_keeps_api_version_only(void)
{
	char *r = httpurl_redacted("https://u:pw@x.example:8443/a/b"
	                           "?api-version=2023-04-01&sig=s3cr3t&code="
	                           "c0de&flag#frag-secret");

	T_EQ_STR(r,
	    "https://x.example:8443/a/b?api-version=2023-04-01"
	    "&sig=REDACTED&code=REDACTED&flag");
	free(r);
	r = httpurl_redacted("http://127.0.0.1/p");
	T_EQ_STR(r, "http://127.0.0.1/p");
	free(r);
	r = httpurl_redacted("not a url with a key=abc");
	T_EQ_STR(r, "(invalid URL)");
	free(r);
}

static void
test_split_gives_scheme_and_host(void)
{
	char *s = NULL, *h = NULL;

	T_EQ_INT(httpurl_split("https://a.example:1/x", &s, &h), 0);
	T_EQ_STR(s, "https");
	T_EQ_STR(h, "a.example");
	free(s);
	free(h);
	T_EQ_INT(httpurl_split("", &s, &h), -1);
	T_OK(s == NULL && h == NULL);
}

int
main(void)
{
	T_RUN(test_loopback_hosts);
	T_RUN(test_origin_fills_default_ports_and_lowers_case);
	T_RUN(test_redaction_keeps_api_version_only);
	T_RUN(test_split_gives_scheme_and_host);
	return t_done();
}
