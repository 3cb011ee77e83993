/* fuzz_provider.c -- libFuzzer target for the notifier's reading of the
 * SMS/IM provider's answer (workers/notifier/provider.c).
 *
 * The provider is outside: its status and body may be anything. The first
 * two bytes of an input are the HTTP status (big-endian, 0..65535), the
 * third picks a transport failure (odd: none, the answer came), the rest
 * is the body, fed to nt_provider_answer_append() in chunks as libcurl
 * would hand it over (the fourth byte sets the chunk size). Then
 * nt_provider_answer() classifies the call. The outcome must be one of
 * OK, PERMANENT or "retry", and the error text -- logged, stored with the
 * message and put into the dead-letter reason -- must be valid UTF-8 with
 * no control characters.
 *
 * Built with clang only (CS_FUZZ=ON) and run by tests/run.sh on a copy of
 * tests/fuzz/corpus/provider. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* true if s is valid UTF-8 without control characters. */
static bool textClean(const char *s) {
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0 || (n == 0 && (*p < 0x20 || *p == 0x7F)) || (n == 1 && *p < 0xC2)) return false;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80) return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    long status = (long)data[0] << 8 | data[1];
    const char *transport = data[2] & 1 ? NULL : "Timeout was reached";
    size_t chunk = data[3] ? data[3] : 1;
    data += 4;
    size -= 4;
    char resp[128]; /* the size provider.c keeps */
    size_t resplen = 0;
    resp[0] = '\0';
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        nt_provider_answer_append(resp, sizeof resp, &resplen, (const char *)data + off, n);
        if (resplen >= sizeof resp || resp[resplen] != '\0') abort();
    }
    nt_send m;
    memset(&m, 0, sizeof m);
    m.result = NT_SEND_PENDING;
    bool retry = nt_provider_answer(&m, transport, status, resp, resplen);
    if (m.http_status != (int)status) abort();
    if (retry ? m.result != NT_SEND_PENDING : m.result != NT_SEND_OK && m.result != NT_SEND_PERMANENT) abort();
    if (m.result == NT_SEND_OK && (transport || status < 200 || status >= 300)) abort();
    if (m.result != NT_SEND_OK && !m.error[0]) abort();
    if (!textClean(m.error)) abort();
    return 0;
}
