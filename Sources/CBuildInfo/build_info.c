#include "clc_build_info.h"
#include <curl/curl.h>
#include <zlib.h>

/* Defined by Package.swift (-D); a build without them says so. */
#ifndef CLC_GIT_COMMIT
#define CLC_GIT_COMMIT "unknown"
#endif
#ifndef CLC_LIBNFTNL_VERSION
#define CLC_LIBNFTNL_VERSION "unknown"
#endif
#ifndef CLC_LIBMNL_VERSION
#define CLC_LIBMNL_VERSION "unknown"
#endif
#ifndef CLC_LIBSYSTEMD_VERSION
#define CLC_LIBSYSTEMD_VERSION "unknown"
#endif

const char *clc_build_git_commit(void) { return CLC_GIT_COMMIT; }
const char *clc_build_libnftnl_version(void) { return CLC_LIBNFTNL_VERSION; }
const char *clc_build_libmnl_version(void) { return CLC_LIBMNL_VERSION; }
const char *clc_build_libsystemd_version(void) { return CLC_LIBSYSTEMD_VERSION; }

const char *clc_curl_version(void) {
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info && info->version ? info->version : "unknown";
}

const char *clc_curl_ssl_version(void) {
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info && info->ssl_version ? info->ssl_version : "none";
}

const char *clc_zlib_version(void) { return zlibVersion(); }
