#!/usr/bin/env python3
"""Seed an AWS emulator (moto_server) like a real Builder Vault deployment.

    aws_seed.py --endpoint URL --fleet NAME --nodes N [--region R]
                [--kms-region R] [--out FILE] [--namespace NS --env ENV]
                [--accounts ACCOUNT,ACCOUNT,...]

For each node i, as the deployment's stacks leave them:
  - an EC2 instance tagged EnclaveName=NAME-i, CONFIG_SSM_PARAM=/NAME/node-i/config
    (and Namespace=NS, Environment=ENV, PlayerIndex=i with --namespace/--env)
  - SSM /NAME/node-i/config (region R): {"SHARD_SSM_PARAM_ARN": <ARN in KMS region>}
  - SSM /NAME/kms/node-i (KMS region): {"CONFIG_BUCKET": <bucket>}
  - a versioned bucket NAME-ACCOUNT-KMSREGION-node-i-bucket holding
    NAME-i/config.toml (a realistic TSM config, secrets included)
  - a CloudFormation stack NAME-kms-node-i with a ShardKMSKeyNitro key whose
    policy lets the instance role decrypt only with the production PCR8
  - CloudWatch NitroStatus datapoints (namespace BuilderVault, dimension
    EnclaveName): 1 for every node but the last, which reads 0.
Credentials and everything else come from the usual AWS environment.
With --accounts, node i's KMS stack, both SSM parameters, its config
bucket and its NitroStatus metric are made in the i-th account instead (as
the KMS-stack documentation recommends: one account per stack), through
STS AssumeRole into arn:aws:iam::ACCOUNT:role/NAME-node-i-admin; the
instances stay in the caller's account.
--out writes a JSON summary (instance ids, buckets, key ids, accounts and
roles) for tests.
"""
import argparse
import json
import sys
from datetime import datetime, timezone

import boto3

ACCOUNT = "123456789012"
PCR8 = "a1" * 48  # the production image's signing certificate (SHA-384)

CONFIG = """# Builder Vault TSM node {i} ({name})
[Player]
Index = {i}
PrivateKey = "MHcCAQEEIFakePrivateKeyForTheDemoOnly{i}AoGCCqGSM49AwEHoUQDQgAE"
ExportWhiteList = []

[[Players]]
Index = 0
PublicKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEdemo0"
Address = "tcp://tsm-0.internal:9000"

[[Players]]
Index = 1
PublicKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEdemo1"
Address = "tcp://tsm-1.internal:9000"

[Database]
DriverName = "postgres"
DataSourceName = "postgres://tsm:Demo-Passw0rd-{i}@db-{i}.internal:5432/tsm?sslmode=require"
EncryptorMasterPassword = "demo-master-password-{i}"

[SDKServer]
Port = 8080
APIKeys = ["demo-api-key-{i}"]

[MPCTCPServer]
Port = 9000

[DKLS19]
Features = ["ECDSA"]
"""


def policy(name, i, account=ACCOUNT):
    role = "arn:aws:iam::%s:role/%s-node-%d-role" % (ACCOUNT, name, i)
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::%s:root" % account},
             "Action": "kms:*", "Resource": "*"},
            {"Sid": "Nitro enclave decrypt", "Effect": "Allow",
             "Principal": {"AWS": role},
             "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
             "Resource": "*",
             "Condition": {"StringEqualsIgnoreCase": {
                 "kms:RecipientAttestation:PCR8": PCR8}}},
        ]}, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--fleet", required=True)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--kms-region", default="eu-west-1")
    ap.add_argument("--out", default="")
    ap.add_argument("--namespace", default="")
    ap.add_argument("--env", default="")
    ap.add_argument("--accounts", default="")
    a = ap.parse_args()
    name = a.fleet
    accounts = [x for x in a.accounts.split(",") if x]

    def client(svc, region, creds=None):
        kw = {}
        if creds is not None:
            kw = {"aws_access_key_id": creds["AccessKeyId"],
                  "aws_secret_access_key": creds["SecretAccessKey"],
                  "aws_session_token": creds["SessionToken"]}
        return boto3.client(svc, region_name=region, endpoint_url=a.endpoint,
                            **kw)

    ec2 = client("ec2", a.region)
    out = {"nodes": []}
    for i in range(a.nodes):
        account, role_arn, creds = ACCOUNT, "", None
        if accounts:
            account = accounts[i % len(accounts)]
            role_arn = "arn:aws:iam::%s:role/%s-node-%d-admin" % (account, name, i)
            creds = client("sts", a.region).assume_role(
                RoleArn=role_arn, RoleSessionName="seed")["Credentials"]
        ssm = client("ssm", a.region, creds)
        ssm_kms = client("ssm", a.kms_region, creds)
        s3 = client("s3", a.kms_region, creds)
        cfn = client("cloudformation", a.kms_region, creds)
        kms = client("kms", a.kms_region, creds)
        cw = client("cloudwatch", a.region, creds)
        enclave = "%s-%d" % (name, i)
        param = "/%s/node-%d/config" % (name, i)
        shard = "/%s/kms/node-%d" % (name, i)
        shard_arn = "arn:aws:ssm:%s:%s:parameter%s" % (a.kms_region, account, shard)
        bucket = "%s-%s-%s-node-%d-bucket" % (name, account, a.kms_region, i)
        stack = "%s-kms-node-%d" % (name, i)
        tags = [{"Key": "Name", "Value": "%s-node-%d" % (name, i)},
                {"Key": "EnclaveName", "Value": enclave},
                {"Key": "CONFIG_SSM_PARAM", "Value": param}]
        if a.namespace:
            tags += [{"Key": "Namespace", "Value": a.namespace},
                     {"Key": "Environment", "Value": a.env},
                     {"Key": "PlayerIndex", "Value": str(i)}]
        inst = ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
            TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])
        iid = inst["Instances"][0]["InstanceId"]
        ssm.put_parameter(Name=param, Type="String", Overwrite=True,
                          Value=json.dumps({"SHARD_SSM_PARAM_ARN": shard_arn}))
        ssm_kms.put_parameter(Name=shard, Type="String", Overwrite=True,
                              Value=json.dumps({"CONFIG_BUCKET": bucket,
                                                "KMS_STACK": stack}))
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={
            "LocationConstraint": a.kms_region})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={
            "Status": "Enabled"})
        s3.put_object(Bucket=bucket, Key=enclave + "/config.toml",
                      Body=CONFIG.format(i=i, name=name).encode(),
                      ContentType="application/toml")
        template = {"Resources": {"ShardKMSKeyNitro": {
            "Type": "AWS::KMS::Key",
            "Properties": {"Description": "%s node %d" % (name, i),
                           "KeyPolicy": json.loads(policy(name, i, account))}}}}
        cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template))
        key = cfn.describe_stack_resource(
            StackName=stack, LogicalResourceId="ShardKMSKeyNitro")[
                "StackResourceDetail"]["PhysicalResourceId"]
        # A policy made inline by the stack comes back as an object here:
        # set it again as the string KMS really stores.
        kms.put_key_policy(KeyId=key, PolicyName="default",
                           Policy=policy(name, i, account))
        cw.put_metric_data(Namespace="BuilderVault", MetricData=[{
            "MetricName": "NitroStatus",
            "Dimensions": [{"Name": "EnclaveName", "Value": enclave}],
            "Timestamp": datetime.now(timezone.utc),
            "Value": 0.0 if i == a.nodes - 1 else 1.0}])
        out["nodes"].append({"instance_id": iid, "enclave": enclave,
                             "param": param, "shard_arn": shard_arn,
                             "bucket": bucket, "stack": stack, "key": key,
                             "account": account, "role_arn": role_arn})
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
