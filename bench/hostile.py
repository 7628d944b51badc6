#!/usr/bin/env python3
"""Writes the hostile CloudFormation inputs of BENCHMARKS.md "Hostile inputs", one folder each,
into OUT (default bench/hostile-inputs): `python3 bench/hostile.py OUT`, then
`bash bench/hostile.sh OUT BINARY` times each. The same classes are asserted, smaller or equal,
in tests/hostile/*.rs; the Terraform inputs come from
`COGNITRUST_HOSTILE_TF=DIR cargo test --test hostile -- --ignored`."""

import json
import os
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "bench/hostile-inputs"

STATEMENT = ('{Effect: Allow, Principal: {Federated: cognito-identity.amazonaws.com}, '
             'Action: sts:AssumeRoleWithWebIdentity, Condition: {StringEquals: '
             '{"cognito-identity.amazonaws.com:aud": !Ref Pool}, "ForAnyValue:StringLike": '
             '{"cognito-identity.amazonaws.com:amr": authenticated}}}')
SERVICE = STATEMENT.replace("{Federated:", "{Service:")
NO_AUD = STATEMENT.replace('StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref Pool}, ', "")


def write(name, files):
    for path, text in files.items():
        full = os.path.join(OUT, name, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)


def template(extra, role_props):
    return (f'AWSTemplateFormatVersion: "2010-09-09"\n{extra}Resources:\n'
            "  Pool:\n    Type: AWS::Cognito::IdentityPool\n    Properties:\n"
            "      AllowUnauthenticatedIdentities: false\n"
            f"  AuthRole:\n    Type: AWS::IAM::Role\n    Properties:\n{role_props}"
            "  Att:\n    Type: AWS::Cognito::IdentityPoolRoleAttachment\n    Properties:\n"
            "      IdentityPoolId: !Ref Pool\n      Roles:\n        authenticated: !GetAtt AuthRole.Arn\n")


def conditions(n):
    params = "".join(f"  P{i}: {{Type: String}}\n" for i in range(n))
    conds = "".join(f'  C{i}: !Equals [!Ref P{i}, "yes"]\n' for i in range(n))
    return f"Parameters:\n{params}Conditions:\n{conds}"


def trust(statements):
    return "      AssumeRolePolicyDocument:\n        Statement:\n" + "".join(
        f"          - {s}\n" for s in statements)


# A mapped value that is the same Fn::FindInMap (a stack overflow before).
write("findinmap", {"t.yaml": template(
    "Mappings:\n  M:\n    a:\n      b: !FindInMap [M, a, b]\n",
    "      RoleName: !FindInMap [M, a, b]\n" + trust([STATEMENT]))})

# A wrong principal in one Fn::If, six harmless ones in the tags (the finding was cut at 64).
tags = "      Tags:\n" + "".join(f"        - {{Key: k{i}, Value: !If [C{i}, a, b]}}\n" for i in range(1, 7))
write("variants", {"t.yaml": template(conditions(7), trust([f"!If [C0, {SERVICE}, {STATEMENT}]"]) + tags)})

# Conditions of six comparisons each, in the pool, the role and the attachment.
params = "".join(f"  P{i}: {{Type: String}}\n" for i in range(48))
conds = "".join(
    f"  C{k}: !Or [" + ", ".join(f"!Equals [!Ref P{6 * k + i}, x]" for i in range(6)) + "]\n" for k in range(8))
write("conditions", {"t.yaml": f"""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
{params}Conditions:
{conds}Resources:
  Pool:
    Type: AWS::Cognito::IdentityPool
    Properties:
      AllowUnauthenticatedIdentities: !If [C0, true, false]
      AllowClassicFlow: !If [C1, true, false]
      DeveloperProviderName: !If [C7, a, b]
  AuthRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{Federated: cognito-identity.amazonaws.com}}
            Action: !If [C2, sts:AssumeRoleWithWebIdentity, sts:AssumeRole]
            Condition:
              StringEquals: {{"cognito-identity.amazonaws.com:aud": !If [C3, !Ref Pool, !Ref Pool]}}
              "ForAnyValue:StringLike": {{"cognito-identity.amazonaws.com:amr": !If [C4, authenticated, authenticated]}}
  Att:
    Type: AWS::Cognito::IdentityPoolRoleAttachment
    Properties:
      IdentityPoolId: !Ref Pool
      Roles:
        authenticated: !If [C5, !GetAtt AuthRole.Arn, !GetAtt AuthRole.Arn]
        unauthenticated: !If [C6, !GetAtt AuthRole.Arn, !GetAtt AuthRole.Arn]
"""})

# 5,000 and 20,000 statements, one of them conditional.
for n in (5000, 20000):
    write(f"statements-{n}", {"t.yaml": template(
        conditions(1), trust([STATEMENT] * n + [f"!If [C0, {NO_AUD}, !Ref AWS::NoValue]"]))})

# 1,000 imports and exports whose names differ only between two wildcards.
pad = "x" * 120
exports = ("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Role:\n    Type: AWS::IAM::Role\n"
           "    Properties:\n" + trust([SERVICE.replace("!Ref Pool", "us-east-1:11111111-2222-3333-4444-555555555555")])
           + "Outputs:\n" + "".join(
               f"  O{i}:\n    Value: !GetAtt Role.Arn\n    Export: {{Name: !Sub \"${{AWS::StackName}}-{pad}-{i}-${{AWS::Region}}-{pad}\"}}\n"
               for i in range(1000)))
imports = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n" + "".join(
    f"  A{i}:\n    Type: AWS::Cognito::IdentityPoolRoleAttachment\n    Properties:\n"
    f"      IdentityPoolId: us-east-1:11111111-2222-3333-4444-555555555555\n"
    f"      Roles: {{authenticated: !ImportValue \"roles-{pad}-{i}-us-east-1-{pad}\"}}\n" for i in range(1000))
write("imports-1000", {"exports.yaml": exports, "imports.yaml": imports})


def parent(child, value):
    return (f'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  P: {{Type: String}}\nResources:\n'
            "  Named:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Ref P\n"
            "      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]}\n"
            f"  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./{child}\n"
            f"      Parameters:\n        P: {value}\n")


join10 = '!Join ["", [' + ", ".join(["!Ref P"] * 10) + "]]"
write("nested-cycle", {"a.yaml": parent("b.yaml", join10), "b.yaml": parent("a.yaml", join10)})
chain = {f"s{i}.yaml": parent(f"s{i + 1}.yaml", join10) for i in range(20)}
chain["s20.yaml"] = ('AWSTemplateFormatVersion: "2010-09-09"\nParameters:\n  P: {Type: String}\nResources:\n'
                     "  Pool:\n    Type: AWS::Cognito::IdentityPool\n    Properties:\n      AllowUnauthenticatedIdentities: false\n"
                     "  Att:\n    Type: AWS::Cognito::IdentityPoolRoleAttachment\n    Properties:\n"
                     "      IdentityPoolId: !Ref Pool\n      Roles:\n        authenticated: !Ref P\n")
write("nested-fan-out", chain)

# 64 inline functions of 2,000 under-indented quoted lines (YAML leniency).
text = template("", trust([STATEMENT]))
for i in range(64):
    text += f"  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: '\n"
    text += " x = 1\n" * 2000 + "      '\n"
write("yaml-lenient", {"t.yaml": text})

# A 71 KB one-line JSON template with a finding (the human report panicked).
role = {"Type": "AWS::IAM::Role", "Properties": {"Description": "x" * 70000, "AssumeRolePolicyDocument": {
    "Statement": [{"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                   "Action": "sts:AssumeRoleWithWebIdentity"}]}}}
doc = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
    "Pool": {"Type": "AWS::Cognito::IdentityPool", "Properties": {"AllowUnauthenticatedIdentities": False}},
    "AuthRole": role,
    "Att": {"Type": "AWS::Cognito::IdentityPoolRoleAttachment",
            "Properties": {"IdentityPoolId": {"Ref": "Pool"}, "Roles": {"authenticated": {"Fn::GetAtt": ["AuthRole", "Arn"]}}}}}}
write("long-line", {"t.json": json.dumps(doc, separators=(",", ":"))})
