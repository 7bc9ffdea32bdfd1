#ifndef CLC_BUILD_INFO_H
#define CLC_BUILD_INFO_H
/* What `clc-node version` prints about the build: the git commit and the versions of C
 * libraries that have no function telling it (libnftnl, libmnl, libsystemd), fixed by
 * Package.swift at build time; and the linked libcurl's and zlib's own answers, asked at run
 * time (CURLVERSION_NOW is a macro Swift cannot import). */

const char *clc_build_git_commit(void);
/* pkg-config's --modversion of `module` at build time, or "unknown". */
const char *clc_build_libnftnl_version(void);
const char *clc_build_libmnl_version(void);
const char *clc_build_libsystemd_version(void);

/* curl_version_info(CURLVERSION_NOW): libcurl's version and the TLS library it was built with. */
const char *clc_curl_version(void);
const char *clc_curl_ssl_version(void);
/* zlibVersion(). */
const char *clc_zlib_version(void);
#endif
