#ifndef BAZAAR_COPENSSL_SHIM_H
#define BAZAAR_COPENSSL_SHIM_H
/* SHA256_Init and its kin are deprecated in OpenSSL 3 in favour of EVP, but they are the
   digest without a provider fetch; BazaarCrypto's HMAC is built on them. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#endif
