/**
 * IAM policy documents in the shape AWS returns them, plus the verdict an access analyzer would
 * attach (public? admin-equivalent? which outside accounts?). Analysts read both.
 */

export type Statement = {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
};
export type PolicyDocument = { Version: "2012-10-17"; Statement: Statement[] };

export type Analysis = {
  public_access: boolean;
  grants_admin: boolean;
  wildcard_action: boolean;
  external_accounts: string[];
  validation_findings: string[];
};

export function doc(...Statement: Statement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement };
}

export function analysis(a: Partial<Analysis>): Analysis {
  return {
    public_access: false,
    grants_admin: false,
    wildcard_action: false,
    external_accounts: [],
    validation_findings: [],
    ...a,
  };
}

export const publicRead = (bucket: string): Statement => ({
  Sid: "PublicReadGetObject",
  Effect: "Allow",
  Principal: "*",
  Action: "s3:GetObject",
  Resource: `arn:aws:s3:::${bucket}/*`,
});

export const orgRestrictedRead = (bucket: string, orgId: string, vpce?: string): Statement => ({
  Sid: vpce ? "AllowReadFromAnalyticsEndpoint" : "AllowOrgPrincipalsRead",
  Effect: "Allow",
  Principal: "*",
  Action: ["s3:GetObject", "s3:ListBucket"],
  Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
  Condition: vpce ? { StringEquals: { "aws:SourceVpce": vpce } } : { StringEquals: { "aws:PrincipalOrgID": orgId } },
});

export const denyInsecureTransport = (bucket: string): Statement => ({
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
});

export const adminAll = (sid = "FullAccess"): Statement => ({ Sid: sid, Effect: "Allow", Action: "*", Resource: "*" });

export const regionGuardrail = (regions: string[]): Statement => ({
  Sid: "DenyOutsideApprovedRegions",
  Effect: "Deny",
  Action: "*",
  Resource: "*",
  Condition: {
    StringNotEquals: { "aws:RequestedRegion": regions },
    ArnNotLike: { "aws:PrincipalArn": ["arn:aws:iam::*:role/OrganizationAccountAccessRole"] },
  },
});

export const serviceWildcard = (service: string, resource = "*"): Statement => ({
  Sid: `${service.toUpperCase()}Everything`,
  Effect: "Allow",
  Action: `${service}:*`,
  Resource: resource,
});

export function keyPolicy(acct: string, useRoles: string[], extra: Statement[] = []): PolicyDocument {
  return doc(
    {
      Sid: "EnableIAMUserPermissions",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${acct}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "AllowUseOfTheKey",
      Effect: "Allow",
      Principal: { AWS: useRoles },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
    },
    ...extra,
  );
}

export const crossAccountDecrypt = (account: string, sid = "AllowCrossAccountUse"): Statement => ({
  Sid: sid,
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${account}:root` },
  Action: ["kms:Decrypt", "kms:CreateGrant", "kms:DescribeKey"],
  Resource: "*",
});

export function githubTrust(acct: string, subject: string): PolicyDocument {
  return doc({
    Effect: "Allow",
    Principal: { Federated: `arn:aws:iam::${acct}:oidc-provider/token.actions.githubusercontent.com` },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
      StringLike: { "token.actions.githubusercontent.com:sub": subject },
    },
  });
}
