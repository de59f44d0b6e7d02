"""Roles in other accounts of a moto_server that checks signatures.

    moto_roles.py --endpoint URL ROLE_ARN[=ACTIONS] ...

moto keeps accounts apart, and credentials from AssumeRole act in the
role's account; but moto only honours them when the role exists there.
Each role is made in its ARN's account (moto's x-moto-account-id header),
trusting any principal, with an inline policy allowing ACTIONS (a JSON
list; default every action). Two calls per role, so run it while the
server's free unsigned calls last (tests/motolib.sh: MOTO_FREE_CALLS).
"""
import argparse
import json

import boto3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("roles", nargs="+")
    a = ap.parse_args()
    for spec in a.roles:
        arn, _, actions = spec.partition("=")
        account = arn.split(":")[4]
        name = arn.split(":role/", 1)[1]
        iam = boto3.client("iam", region_name="us-east-1",
                           endpoint_url=a.endpoint,
                           aws_access_key_id="anything",
                           aws_secret_access_key="anything")

        def header(request, account=account, **_):
            request.headers["x-moto-account-id"] = account
        iam.meta.events.register("before-sign.iam.*", header)
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                           "Action": "sts:AssumeRole"}]}))
        iam.put_role_policy(RoleName=name, PolicyName="bvops",
                            PolicyDocument=json.dumps({
                                "Version": "2012-10-17",
                                "Statement": [{
                                    "Effect": "Allow",
                                    "Action": json.loads(actions or '"*"'),
                                    "Resource": "*"}]}))


if __name__ == "__main__":
    main()
