// Dev tool (not built, needs OpenSSL's libcrypto): finds the 80-byte file
// sha256_prefix_11ad3fa6.bin, whose SHA-256 starts with the 8 hex digits of
// torchvision's resnet50-11ad3fa6.pth (IMAGENET1K_V2), for cli_pretrained.sh.
// A 64-byte text block, then a 16-hex-digit counter; ~2^32 tries (minutes).
//   gcc -O2 find_sha256_prefix.c -lcrypto -o find && ./find 11ad3fa6 0 1 8 > sha256_prefix_11ad3fa6.bin
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>
int main(int argc, char** argv) {
  const uint32_t want = (uint32_t)strtoul(argv[1], 0, 16); const int digits = atoi(argv[4]);
  const uint64_t start = strtoull(argv[2], 0, 10), step = strtoull(argv[3], 0, 10);
  unsigned char prefix[64];
  memset(prefix, ' ', 64);
  const char* text = "idml test file: not weights; its SHA-256 starts like resnet50-11ad3fa6.pth #";
  memcpy(prefix, text, 64);
  SHA256_CTX base; SHA256_Init(&base); SHA256_Update(&base, prefix, 64);
  unsigned char digest[32]; char nonce[17];
  for (uint64_t i = start;; i += step) {
    for (int b = 0; b < 16; ++b) nonce[15 - b] = "0123456789abcdef"[(i >> (4 * b)) & 15];
    SHA256_CTX ctx = base; SHA256_Update(&ctx, nonce, 16); SHA256_Final(digest, &ctx);
    uint32_t head = (uint32_t)digest[0] << 24 | digest[1] << 16 | digest[2] << 8 | digest[3];
    if ((head >> (32 - 4 * digits)) == (want >> (32 - 4 * digits))) { fwrite(prefix, 1, 64, stdout); fwrite(nonce, 1, 16, stdout); return 0; }
    if ((i / step) % 100000000 == 0) { fprintf(stderr, "%llu\n", (unsigned long long)i); }
  }
}
