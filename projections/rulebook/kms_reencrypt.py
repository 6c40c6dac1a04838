"""KMS ReEncrypt (issue 13 follow-up, G1): the source (symmetric envelope or RSA ciphertext,
SourceKeyId, SourceEncryptionAlgorithm), the destination (symmetric or RSA,
DestinationEncryptionAlgorithm), the response members, and DryRun with IGNORE_CIPHERTEXT.

The sources are botocore's kms model documentation. Where the docs say a call "fails" and
name no error, kmsim answers the error Decrypt and Encrypt answer for the same fault and the
statement names that rule. DryRun itself is R-KMS-ASYM-26, shared by every KMS operation
that has it.
"""

from projections.rulebook.registry import BOTOCORE_MODELS, Rule, declare

declare(
    Rule("R-KMS-REENC-01", "ReEncrypt needs kms:ReEncryptFrom on the source key and "
         "kms:ReEncryptTo on the destination key (AccessDeniedException otherwise, R-KMS-19)",
         BOTOCORE_MODELS,
         quote="kms:ReEncryptFrom permission on the source KMS key (key policy) "
         "kms:ReEncryptTo permission on the destination KMS key (key policy)"),
    Rule("R-KMS-REENC-02", "A ciphertext encrypted under an asymmetric key needs SourceKeyId "
         "and the SourceEncryptionAlgorithm that was used; without them kmsim reads it as a "
         "symmetric ciphertext, which it is not (InvalidCiphertextException, R-KMS-53)",
         BOTOCORE_MODELS,
         quote="If your ciphertext was encrypted under an asymmetric KMS key, you must use the "
         "SourceKeyId parameter to identify the KMS key that encrypted the ciphertext. You must "
         "also supply the encryption algorithm that was used."),
    Rule("R-KMS-REENC-03", "For a symmetric ciphertext SourceKeyId is optional: the key comes "
         "from the ciphertext", BOTOCORE_MODELS,
         quote="If your ciphertext was encrypted under a symmetric encryption KMS key, the "
         "SourceKeyId parameter is optional."),
    Rule("R-KMS-REENC-04", "A SourceKeyId that is not the key that encrypted the ciphertext "
         "fails with IncorrectKeyException", BOTOCORE_MODELS,
         quote="If you identify a different KMS key, the ReEncrypt operation throws an "
         "IncorrectKeyException."),
    Rule("R-KMS-REENC-05", "SourceEncryptionAlgorithm (default SYMMETRIC_DEFAULT) must be the "
         "one that encrypted the ciphertext, else the decrypt fails as Decrypt's does (an "
         "algorithm the key lacks: InvalidKeyUsageException, R-KMS-ASYM-02; another RSAES_OAEP "
         "hash: InvalidCiphertextException, R-KMS-ASYM-20)", BOTOCORE_MODELS,
         quote="Specify the same algorithm that was used to encrypt the ciphertext. If you "
         "specify a different algorithm, the decrypt attempt fails."),
    Rule("R-KMS-REENC-06", "An asymmetric destination key needs a DestinationEncryptionAlgorithm "
         "compatible with it (InvalidKeyUsageException otherwise, R-KMS-ASYM-02; default "
         "SYMMETRIC_DEFAULT), and the plaintext must fit it as Encrypt's (R-KMS-ASYM-19)",
         BOTOCORE_MODELS,
         quote="If the destination KMS key is an asymmetric KMS key, you must also provide the "
         "encryption algorithm. The algorithm that you choose must be compatible with the KMS "
         "key."),
    Rule("R-KMS-REENC-07", "A DestinationEncryptionContext is valid only with a symmetric "
         "destination key (ValidationException otherwise, as R-KMS-ASYM-21)", BOTOCORE_MODELS,
         quote="A destination encryption context is valid only when the destination KMS key is "
         "a symmetric encryption KMS key."),
    Rule("R-KMS-REENC-08", "ReEncrypt decrypts a ciphertext made outside KMS with an asymmetric "
         "key's public key", BOTOCORE_MODELS,
         quote="It can also decrypt ciphertext that was encrypted by using the public key of an "
         "asymmetric KMS key outside of KMS."),
    Rule("R-KMS-REENC-09", "The response names both algorithms: SourceEncryptionAlgorithm "
         "decrypted, DestinationEncryptionAlgorithm reencrypted", BOTOCORE_MODELS,
         quote="The encryption algorithm that was used to reencrypt the data."),
    Rule("R-KMS-REENC-10", "SourceKeyMaterialId is present only when a symmetric key encrypted "
         "the original ciphertext", BOTOCORE_MODELS,
         quote="This field is present only when the original encryption used a symmetric "
         "encryption KMS key."),
    Rule("R-KMS-REENC-11", "DestinationKeyMaterialId is present only when a symmetric key "
         "reencrypts", BOTOCORE_MODELS,
         quote="This field is present only when data is reencrypted using a symmetric "
         "encryption KMS key."),
    Rule("R-KMS-REENC-12", "CiphertextBlob is required (ValidationException, R-KMS-17) except "
         "with DryRun true and DryRunModifiers IGNORE_CIPHERTEXT, which checks authorization "
         "only and then needs SourceKeyId", BOTOCORE_MODELS,
         quote="This parameter is required in all cases except when DryRun is true and "
         "DryRunModifiers is set to IGNORE_CIPHERTEXT."),
)
