import json
import urllib.request

import boto3
from botocore.exceptions import ClientError

URL = "http://127.0.0.1:4599"


def control(path, body=None):
    """The /_kmsim/ control endpoints speak plain JSON."""
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(URL + path, data=data)) as r:
        return json.load(r)


session = boto3.Session(aws_access_key_id="AKIDADMIN", aws_secret_access_key="any",
                        region_name="us-east-1")          # unmapped key id: the account root
kms = session.client("kms", endpoint_url=URL)
logs = session.client("logs", endpoint_url=URL)
cw = session.client("cloudwatch", endpoint_url=URL)

key = kms.create_key(Description="app logs")["KeyMetadata"]
print(key["KeyId"], key["KeyState"], key["CreationDate"])
blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"hello")["CiphertextBlob"]
print(kms.decrypt(CiphertextBlob=blob)["Plaintext"])

logs.create_log_group(logGroupName="app")
try:  # the default key policy does not let CloudWatch Logs use the key
    logs.associate_kms_key(logGroupName="app", kmsKeyId=key["Arn"])
except ClientError as e:
    print(e.response["Error"]["Code"], "|", e.response["Error"]["Message"][:80], "...")
    print("rule:", e.response["ResponseMetadata"]["HTTPHeaders"]["x-kmsim-rule"])

print(cw.get_dataset(DatasetIdentifier="default")["Arn"])
kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
print(control("/_kmsim/at?time=%2B6d")["keys"][0]["state"])   # the future, clock unmoved
print(control("/_kmsim/clock", {"advance": "7d"}))
try:
    kms.describe_key(KeyId=key["KeyId"])
except kms.exceptions.NotFoundException as e:
    print("NotFoundException:", e.response["Error"]["Message"])
reader = session.client("kms", endpoint_url=URL, aws_access_key_id="AKIDREADER",
                        aws_secret_access_key="any")
try:
    reader.list_keys()
except ClientError as e:
    print(e.response["Error"]["Code"], "for", e.response["Error"]["Message"].split()[1])
events = control("/_kmsim/events?after=6")["events"]
print([(e["seq"], e["op"], e["out"].get("err", "ok")) for e in events])
