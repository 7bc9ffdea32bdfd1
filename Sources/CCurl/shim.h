#ifndef CLC_CURL_SHIM_H
#define CLC_CURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic: Swift cannot call them, so each argument
 * type gets a typed inline wrapper. */
static inline CURLcode clc_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode clc_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode clc_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode clc_curl_setopt_offset(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode clc_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
/* WRITEFUNCTION, READFUNCTION and HEADERFUNCTION share this shape. */
static inline CURLcode clc_curl_setopt_data_function(CURL *h, CURLoption o, size_t (*f)(char *, size_t, size_t, void *)) { return curl_easy_setopt(h, o, f); }
static inline CURLcode clc_curl_setopt_xferinfo_function(CURL *h, int (*f)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t)) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f); }
static inline CURLcode clc_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
/* CURLINFO_ACTIVESOCKET fills a curl_socket_t, not a long. */
static inline CURLcode clc_curl_getinfo_socket(CURL *h, CURLINFO i, curl_socket_t *v) { return curl_easy_getinfo(h, i, v); }
/* CURLOPT_OPENSOCKETFUNCTION, to create a connection's socket elsewhere (another network namespace). */
typedef curl_socket_t (*clc_curl_opensocket_fn)(void *, curlsocktype, struct curl_sockaddr *);
static inline CURLcode clc_curl_setopt_opensocket_function(CURL *h, clc_curl_opensocket_fn f) { return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, f); }
#endif
