"""KMS asymmetric and HMAC cryptography (issue 13, K2): Sign, Verify, GetPublicKey,
GenerateMac, VerifyMac, GenerateDataKeyPair(WithoutPlaintext), DeriveSharedSecret,
Encapsulate, Decapsulate, and Encrypt/Decrypt with RSA keys.

The sources are botocore's kms model documentation (the operations' and the errors' own
words) and one observed answer. Where they name a constraint and no error code, kmsim
answers R-KMS-17's ValidationException and the statement says so; where kmsim chooses
(the key material's source, a spec the installed library cannot compute), a rule cites its
assumption.
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

OBSERVED_ALGORITHM = ("observed behaviour: 'InvalidKeyUsageException: Algorithm SYMMETRIC_DEFAULT "
                      "is incompatible with key spec RSA_4096.' from Encrypt with an RSA key and "
                      "no EncryptionAlgorithm (zalando/spring-cloud-config-aws-kms#82)")

declare(
    # -- which key, which algorithm ------------------------------------------------------
    Rule("R-KMS-ASYM-01", "Each operation needs its KeyUsage: SIGN_VERIFY to sign and verify, "
         "GENERATE_VERIFY_MAC for MACs, KEY_AGREEMENT to derive shared secrets, "
         "ENCAPSULATE_DECAPSULATE to encapsulate; another KeyUsage fails with "
         "InvalidKeyUsageException", BOTOCORE_MODELS,
         quote="For signing and verifying messages, the KeyUsage must be SIGN_VERIFY. For "
         "generating and verifying message authentication codes (MACs), the KeyUsage must be "
         "GENERATE_VERIFY_MAC. For deriving key agreement secrets, the KeyUsage must be "
         "KEY_AGREEMENT. For encapsulating and decapsulating shared secrets, the KeyUsage must "
         "be ENCAPSULATE_DECAPSULATE."),
    Rule("R-KMS-ASYM-02", "An encryption, signing or MAC algorithm the key's KeySpec does not "
         "support fails with InvalidKeyUsageException", BOTOCORE_MODELS,
         quote="The encryption algorithm or signing algorithm specified for the operation is "
         "incompatible with the type of key material in the KMS key (KeySpec)."),
    Rule("R-KMS-ASYM-03", "KMS words an algorithm its key cannot use as 'Algorithm ALG is "
         "incompatible with key spec KEYSPEC.'", OBSERVED_ALGORITHM,
         quote="InvalidKeyUsageException: Algorithm SYMMETRIC_DEFAULT is incompatible with key "
         "spec RSA_4096."),

    # -- Sign and Verify ---------------------------------------------------------------------
    Rule("R-KMS-ASYM-04", "Sign and Verify take a message of up to 4096 bytes "
         "(ValidationException beyond, R-KMS-17)", BOTOCORE_MODELS,
         quote="You can submit messages of up to 4096 bytes."),
    Rule("R-KMS-ASYM-05", "MessageType RAW (the default) hashes the message with the signing "
         "algorithm's hash; DIGEST signs the message as the digest it is", BOTOCORE_MODELS,
         quote="When the value of MessageType is RAW, KMS uses the standard signing algorithm, "
         "which begins with a hash function. When the value is DIGEST, KMS skips the hashing "
         "step in the signing algorithm."),
    Rule("R-KMS-ASYM-06", "With MessageType DIGEST the message must be as long as the signing "
         "algorithm's hash (ValidationException otherwise, R-KMS-17's code for a documented "
         "constraint)", BOTOCORE_MODELS,
         quote="When the value of MessageType is DIGEST, the length of the Message value must "
         "match the length of hashed messages for the specified signing algorithm."),
    Rule("R-KMS-ASYM-07", "A signature is PKCS #1 (RFC 8017) for the RSA algorithms and a DER "
         "ECDSA-Sig-Value for ECDSA; anyone with the public key verifies it outside KMS",
         BOTOCORE_MODELS,
         quote="When used with the supported RSA signing algorithms, the encoding of this value "
         "is defined by PKCS #1 in RFC 8017."),
    Rule("R-KMS-ASYM-08", "Verify answers SignatureValid true for a signature of the message "
         "by the key and algorithm; any other signature fails with "
         "KMSInvalidSignatureException", BOTOCORE_MODELS,
         quote="If the signature is verified, the value of the SignatureValid field in the "
         "response is True. If the signature verification fails, the Verify operation fails "
         "with an KMSInvalidSignatureException exception."),
    Rule("R-KMS-ASYM-09", "MessageType EXTERNAL_MU is a 64-byte mu for ML-DSA signing "
         "(ValidationException for another length, R-KMS-17; InvalidKeyUsageException with "
         "another algorithm, as R-KMS-ASYM-02)", BOTOCORE_MODELS,
         quote="When the value of MessageType is EXTERNAL_MU the length of the Message value "
         "must be 64 bytes."),
    Rule("R-KMS-ASYM-10", "ED25519_SHA_512 needs MessageType RAW and ED25519_PH_SHA_512 "
         "MessageType DIGEST (ValidationException otherwise, R-KMS-17)", BOTOCORE_MODELS,
         quote="ED25519_SHA_512 signing algorithm requires KMS MessageType:RAW "
         "ED25519_PH_SHA_512 signing algorithm requires KMS MessageType:DIGEST"),

    # -- GetPublicKey ------------------------------------------------------------------------
    Rule("R-KMS-ASYM-11", "GetPublicKey answers the public key as DER SubjectPublicKeyInfo "
         "with KeySpec, KeyUsage and the algorithms of the key's usage", BOTOCORE_MODELS,
         quote="The value is a DER-encoded X.509 public key, also known as "
         "SubjectPublicKeyInfo (SPKI), as defined in RFC 5280."),
    Rule("R-KMS-ASYM-12", "GetPublicKey of a key with no public key (symmetric, HMAC) fails "
         "with UnsupportedOperationException", BOTOCORE_MODELS,
         quote="The request was rejected because a specified parameter is not supported or a "
         "specified resource is not valid for this operation."),

    # -- GenerateMac and VerifyMac -----------------------------------------------------------
    Rule("R-KMS-ASYM-13", "GenerateMac answers the standard HMAC (RFC 2104) of the message "
         "under the key's secret, with the MacAlgorithm the key supports (HMAC_SHA_N for "
         "HMAC_N)", BOTOCORE_MODELS,
         quote="This is the standard, raw HMAC defined in RFC 2104."),
    Rule("R-KMS-ASYM-14", "VerifyMac succeeds (MacValid true) when the HMAC it computes equals "
         "the Mac given; otherwise it fails with KMSInvalidMacException", BOTOCORE_MODELS,
         quote="The request was rejected because the HMAC verification failed. HMAC "
         "verification fails when the HMAC computed by using the specified message, HMAC KMS "
         "key, and MAC algorithm does not match the HMAC specified in the request."),

    # -- data key pairs ----------------------------------------------------------------------
    Rule("R-KMS-ASYM-15", "GenerateDataKeyPair(WithoutPlaintext) encrypt the private key under "
         "a symmetric encryption key: an asymmetric key fails with InvalidKeyUsageException",
         BOTOCORE_MODELS,
         quote="You cannot specify an asymmetric KMS key or a KMS key in a custom key store."),
    Rule("R-KMS-ASYM-16", "A data key pair's public key is DER SubjectPublicKeyInfo and its "
         "private key DER PKCS #8 PrivateKeyInfo", BOTOCORE_MODELS,
         quote="The public key is a DER-encoded X.509 SubjectPublicKeyInfo, as specified in "
         "RFC 5280. The private key is a DER-encoded PKCS8 PrivateKeyInfo, as specified in "
         "RFC 5958."),
    Rule("R-KMS-ASYM-17", "KeyPairSpec SM2 exists only in China Regions: kmsim's Regions "
         "refuse it with UnsupportedOperationException (as CreateKey does, R-KMS-30)",
         BOTOCORE_MODELS, quote="The SM2 key spec is only available in China Regions."),

    # -- key agreement -----------------------------------------------------------------------
    Rule("R-KMS-ASYM-18", "DeriveSharedSecret answers the ECDH secret of the key's private key "
         "and the peer's DER SubjectPublicKeyInfo public key, which must be on the same curve "
         "(ValidationException otherwise, R-KMS-17's code for a documented constraint)",
         BOTOCORE_MODELS,
         quote="The public key can be from another asymmetric KMS key pair or from a key pair "
         "generated outside of KMS, but both key pairs must be on the same elliptic curve."),

    # -- RSA encryption ----------------------------------------------------------------------
    Rule("R-KMS-ASYM-19", "Encrypt with an RSA key needs an RSAES_OAEP algorithm and takes at "
         "most RSA_2048 214/190, RSA_3072 342/318, RSA_4096 470/446 bytes (SHA_1/SHA_256; "
         "ValidationException beyond, R-KMS-17)", BOTOCORE_MODELS,
         quote="RSA_2048 RSAES_OAEP_SHA_1: 214 bytes RSAES_OAEP_SHA_256: 190 bytes RSA_3072 "
         "RSAES_OAEP_SHA_1: 342 bytes RSAES_OAEP_SHA_256: 318 bytes RSA_4096 RSAES_OAEP_SHA_1: "
         "470 bytes RSAES_OAEP_SHA_256: 446 bytes"),
    Rule("R-KMS-ASYM-20", "Decrypt of an RSA ciphertext needs the KeyId and the algorithm it "
         "was encrypted with; a ciphertext they do not decrypt fails with "
         "InvalidCiphertextException", BOTOCORE_MODELS,
         quote="When the KMS key is asymmetric, you must specify the KMS key and the encryption "
         "algorithm that was used to encrypt the ciphertext."),
    Rule("R-KMS-ASYM-21", "An encryption context is for symmetric keys only: with an RSA or "
         "HMAC key kmsim refuses one (ValidationException, R-KMS-17's code)", BOTOCORE_MODELS,
         quote="The standard asymmetric encryption algorithms and HMAC algorithms that KMS uses "
         "do not support an encryption context."),

    # -- ML-KEM ------------------------------------------------------------------------------
    Rule("R-KMS-ASYM-22", "Encapsulate answers a 32-byte shared secret and its encapsulation: "
         "768, 1088 or 1568 bytes for ML_KEM_512, ML_KEM_768, ML_KEM_1024", BOTOCORE_MODELS,
         quote="Before Base64 encoding, the encapsulated shared secret is 768 bytes for "
         "ML_KEM_512, 1088 bytes for ML_KEM_768, and 1568 bytes for ML_KEM_1024."),
    Rule("R-KMS-ASYM-23", "Decapsulate fails with InvalidCiphertextException only for a "
         "ciphertext of the wrong length; any other answers a 32-byte value (implicit "
         "rejection)", BOTOCORE_MODELS,
         quote="Decapsulate returns an InvalidCiphertextException when the length of the "
         "SharedSecretCiphertextBlob is inconsistent with the ML-KEM key spec. In all other "
         "cases, Decapsulate returns a 32-byte pseudo-random value."),

    # -- kmsim's own choices -----------------------------------------------------------------
    Rule("R-KMS-ASYM-24", "An asymmetric or HMAC key's material is derived from a 32-byte seed "
         "drawn at CreateKey; randomized signatures and ciphertexts take their randomness from "
         "the call's draws, so a replay answers the same bytes", "assumption A-ASYM-MATERIAL",
         assumption="A-ASYM-MATERIAL"),
    Rule("R-KMS-ASYM-25", "A key spec or algorithm the installed cryptography library cannot "
         "compute (ML_KEM_512, ED25519_PH_SHA_512) answers A-ASYM-UNCOMPUTABLE's error",
         "assumption A-ASYM-UNCOMPUTABLE", assumption="A-ASYM-UNCOMPUTABLE"),
    Rule("R-KMS-ASYM-26", "DryRun true checks the request and, when it would succeed, fails "
         "with DryRunOperationException instead of answering", BOTOCORE_MODELS,
         quote="The request was rejected because the DryRun parameter was specified."),
    Rule("R-KMS-ASYM-27", "kmsim does not simulate Nitro Enclaves attestation: a Recipient "
         "fails with UnsupportedOperationException, KMS's error for a parameter that is not "
         "supported", BOTOCORE_MODELS,
         quote="The request was rejected because a specified parameter is not supported or a "
         "specified resource is not valid for this operation."),
)

declare_assumptions(
    Assumption(
        id="A-ASYM-MATERIAL",
        statement="Where the key material of an asymmetric or HMAC key comes from (KMS makes it "
        "in its HSMs and never shows it; kmsim does not unwrap imported material either, and a "
        "key from a log older than the KeySeed draw gets the key-id derivation)",
        default="seeded",
        alternatives=("key-id",),
        meaning={"seeded": "derived from 32 bytes drawn at CreateKey (draws KeySeed): another "
                 "log has other keys, a replay the same; a multi-Region replica shares its "
                 "primary's",
                 "key-id": "derived from the account and key id alone: the same key id gives "
                 "the same key pair in every log (anyone who knows it can compute the private "
                 "key)"}),
    Assumption(
        id="A-ASYM-UNCOMPUTABLE",
        statement="What an operation answers when it needs a key spec or algorithm that the "
        "installed cryptography library cannot compute (ML_KEM_512, Ed25519ph)",
        default="unsupported-operation",
        alternatives=("internal",),
        meaning={"unsupported-operation": "UnsupportedOperationException naming the spec and "
                 "that kmsim's library cannot compute it",
                 "internal": "KMSInternalException (as a service that failed inside would)"}),
)
