"""The detection rules: one stable id per credential format.

Each rule names lowercase ``keywords``; a file is only searched with a rule's regular expression
near an occurrence of one of its keywords (see engine.py), so keywords must be substrings of every
match. The secret is the ``s`` named group of the pattern. ``validator`` names an offline check in
validators.py that must accept the value (a checksum, a decodable structure...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from baseline.model import Severity
from baseline.tools.secrets.generic import KEYWORDS as GENERIC_KEYWORDS

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

# A token boundary: not preceded / followed by characters that could extend the token.
_B = r"(?<![A-Za-z0-9_])"
_E = r"(?![A-Za-z0-9_])"


@dataclass(frozen=True)
class Rule:
    """One credential format."""

    id: str
    description: str
    severity: Severity
    keywords: tuple[str, ...]
    pattern: str
    validator: str | None = None
    window: int = 0  # > 0: the pattern may span lines, searched this many bytes after the keyword
    min_entropy: float = 0.0
    context_rule: bool = False  # the format has no unique prefix: it is found by a nearby name
    # A pattern that every match satisfies at one of its keyword's occurrences (case-sensitive: the
    # exact prefix and body of a token, ``://user:pass@`` of a URL). The engine searches a line only
    # when it matches at one of the line's keyword hits; empty: every line with a hit is searched.
    anchor: str = ""

    def compiled(self) -> re.Pattern[bytes]:
        """The pattern compiled for bytes."""
        return re.compile(self.pattern.encode())

    def compiled_anchor(self) -> re.Pattern[bytes] | None:
        """The anchor compiled for bytes, None without one."""
        return re.compile(self.anchor.encode()) if self.anchor else None


def _prefixed(rule_id: str, description: str, severity: Severity, prefix: str, body: str, validator: str | None = None) -> Rule:
    """A rule for a token that starts with a fixed, distinctive prefix."""
    token = re.escape(prefix) + body
    return Rule(rule_id, description, severity, (prefix.lower(),), _B + "(?P<s>" + token + ")" + _E, validator, anchor=token)


def _named(rule_id: str, description: str, severity: Severity, keywords: tuple[str, ...], name: str, value: str, min_entropy: float = 3.0) -> Rule:
    """A rule for a value without a prefix, found by the name it is assigned to."""
    pattern = r"(?i)" + name + r"[\w.-]{0,25}(?:[\"']?\s*(?:=|:=|:|=>)|[\"']\s*,)\s*[\"'`]?(?-i:(?P<s>" + value + "))" + _E
    return Rule(rule_id, description, severity, keywords, pattern, None, 0, min_entropy, True)


_PEM_BODY = r"(?P<s>[A-Za-z0-9+/=\r\n\t ,:\\n\-\"']{64,}?)"


def _pem(rule_id: str, description: str, label: str, validator: str) -> Rule:
    """A PEM (or OpenSSH / PGP) private key block."""
    pattern = r"-----BEGIN " + label + r"-----" + _PEM_BODY + r"-----END " + label + r"-----"
    return Rule(rule_id, description, C, ("-----begin " + label.lower(),), pattern, validator, window=16384)


_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_URL_CREDS = r"://(?P<user>[^\s:/@\"'<>`]{1,64}):(?P<s>[^\s@/\"'<>`]{1,128})@[\w.\[\]-]+"

RULES: tuple[Rule, ...] = (
    # --- cloud providers ---------------------------------------------------------------------
    Rule("secrets.aws-access-key-id", "AWS access key id", H, ("akia", "asia", "abia", "acca", "a3t"),
         r"(?<![A-Z0-9])(?P<s>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})(?![A-Z0-9])", "aws_key_id"),
    _named("secrets.aws-secret-access-key", "AWS secret access key", C,
           ("secret_access_key", "secretaccesskey", "secret-access-key", "aws_secret", "aws-secret"),
           r"(?:aws)?[_-]?secret[_-]?(?:access)?[_-]?key", r"[A-Za-z0-9/+]{40}", 3.5),
    _named("secrets.aws-session-token", "AWS session token", H, ("session_token", "sessiontoken"),
           r"aws[_-]?session[_-]?token", r"[A-Za-z0-9/+=]{100,}", 4.0),
    Rule("secrets.aws-mws-key", "Amazon MWS auth token", H, ("amzn.mws.",), r"(?P<s>amzn\.mws\." + _UUID + ")"),
    _prefixed("secrets.gcp-api-key", "Google Cloud / Firebase / Gemini API key", H, "AIza", r"[0-9A-Za-z_-]{35}"),
    Rule("secrets.gcp-service-account", "Google Cloud service account key (JSON)", C, ("private_key_id",),
         r"\"private_key_id\"\s*:\s*\"(?P<s>[0-9a-f]{40})\"", "gcp_service_account"),
    _prefixed("secrets.gcp-oauth-client-secret", "Google OAuth client secret", H, "GOCSPX-", r"[0-9A-Za-z_-]{28}"),
    _prefixed("secrets.google-oauth-access-token", "Google OAuth access token", H, "ya29.", r"[0-9A-Za-z_-]{30,}"),
    Rule("secrets.azure-storage-account-key", "Azure storage account key", C, ("accountkey=",),
         r"(?i:AccountKey)=(?P<s>[A-Za-z0-9+/]{86}==)", "base64_64"),
    Rule("secrets.azure-shared-access-key", "Azure Service Bus / Event Hubs / IoT shared access key", H, ("sharedaccesskey=",),
         r"(?i:SharedAccessKey)=(?P<s>[A-Za-z0-9+/]{43}=)", "base64_32"),
    Rule("secrets.azure-sas-token", "Azure shared access signature URL", H, ("sig=",),
         r"[?&]sv=\d{4}-\d{2}-\d{2}[^\s\"'<>]{0,300}?[?&]sig=(?P<s>[A-Za-z0-9%+/=]{40,})"),
    Rule("secrets.azure-ad-client-secret", "Azure AD (Entra ID) client secret", H, ("q~",),
         r"(?<![A-Za-z0-9_~.-])(?P<s>[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])"),
    _prefixed("secrets.alibaba-access-key-id", "Alibaba Cloud access key id", H, "LTAI", r"[0-9A-Za-z]{20}"),
    _prefixed("secrets.digitalocean-pat", "DigitalOcean personal access token", H, "dop_v1_", r"[a-f0-9]{64}"),
    _prefixed("secrets.digitalocean-oauth", "DigitalOcean OAuth token", H, "doo_v1_", r"[a-f0-9]{64}"),
    _prefixed("secrets.digitalocean-refresh", "DigitalOcean refresh token", H, "dor_v1_", r"[a-f0-9]{64}"),
    _prefixed("secrets.heroku-api-key-v2", "Heroku API key", H, "HRKU-", r"[0-9A-Za-z_-]{58,64}"),
    _named("secrets.heroku-api-key", "Heroku API key (legacy UUID)", H, ("heroku",), r"heroku[\w.-]{0,20}(?:key|token)", _UUID, 3.0),
    Rule("secrets.cloudflare-origin-ca-key", "Cloudflare origin CA key", H, ("v1.0-",), _B + r"(?P<s>v1\.0-[a-f0-9]{24}-[a-f0-9]{146})" + _E),
    _prefixed("secrets.databricks-token", "Databricks personal access token", H, "dapi", r"[a-f0-9]{32}(?:-\d)?"),
    _prefixed("secrets.vault-service-token", "HashiCorp Vault service token", H, "hvs.", r"[A-Za-z0-9_-]{90,}"),
    _prefixed("secrets.vault-batch-token", "HashiCorp Vault batch token", H, "hvb.", r"[A-Za-z0-9_-]{130,}"),
    Rule("secrets.terraform-cloud-token", "Terraform Cloud / Enterprise API token", H, (".atlasv1.",),
         _B + r"(?P<s>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})" + _E),
    _prefixed("secrets.doppler-token", "Doppler API token", H, "dp.pt.", r"[A-Za-z0-9]{43}"),
    _prefixed("secrets.pulumi-token", "Pulumi access token", H, "pul-", r"[a-f0-9]{40}"),
    _prefixed("secrets.planetscale-token", "PlanetScale API token", H, "pscale_tkn_", r"[A-Za-z0-9_.-]{43}"),
    _prefixed("secrets.planetscale-password", "PlanetScale database password", H, "pscale_pw_", r"[A-Za-z0-9_.-]{43}"),
    _prefixed("secrets.supabase-token", "Supabase management token", H, "sbp_", r"[a-f0-9]{40}"),
    _prefixed("secrets.supabase-secret-key", "Supabase secret API key", H, "sb_secret_", r"[A-Za-z0-9_-]{31,64}"),
    _prefixed("secrets.netlify-token", "Netlify personal access token", H, "nfp_", r"[A-Za-z0-9]{36,44}"),
    Rule("secrets.dropbox-token", "Dropbox short-lived access token", H, ("sl.",), _B + r"(?P<s>sl\.(?:u\.|B)?[A-Za-z0-9_-]{130,})" + _E),
    _prefixed("secrets.newrelic-insert-key", "New Relic insert key", H, "NRII-", r"[A-Za-z0-9_-]{32}"),
    Rule("secrets.newrelic-license-key", "New Relic license key", H, ("nral",), _B + r"(?P<s>[a-f0-9]{36}NRAL)" + _E),
    _prefixed("secrets.posthog-personal-key", "PostHog personal API key", H, "phx_", r"[A-Za-z0-9]{43,60}"),
    Rule("secrets.sourcegraph-token", "Sourcegraph access token", H, ("sgp_",), _B + r"(?P<s>sgp_(?:[a-f0-9]{16}_)?[a-f0-9]{40})" + _E),
    Rule("secrets.onepassword-secret-key", "1Password account secret key", C, ("a3-",),
         _B + r"(?P<s>A3-[A-Z0-9]{6}-(?:[A-Z0-9]{6}|[A-Z0-9]{11})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})" + _E),
    _prefixed("secrets.notion-legacy-token", "Notion integration token (legacy format)", M, "secret_", r"[A-Za-z0-9]{43}"),
    _named("secrets.cloudflare-api-token", "Cloudflare API token or global API key", H, ("cloudflare", "cf_api", "cf-api", "cf_token"),
           r"(?:cloudflare|cf)[\w.-]{0,20}(?:token|key)", r"[A-Za-z0-9_-]{40}|[a-f0-9]{37}", 3.0),
    _named("secrets.vercel-token", "Vercel access token", H, ("vercel",), r"vercel[\w.-]{0,20}(?:token|key)", r"[A-Za-z0-9]{24}", 3.0),
    Rule("secrets.discord-bot-token", "Discord bot token", H, ("discord", "bot", "client.run"),
         r"(?<![A-Za-z0-9_.-])(?P<s>[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40})" + _E, context_rule=True),
    _prefixed("secrets.grafana-cloud-token", "Grafana Cloud API token", H, "glc_", r"[A-Za-z0-9+/]{32,400}={0,2}"),
    _prefixed("secrets.grafana-service-account", "Grafana service account token", H, "glsa_", r"[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}"),
    _prefixed("secrets.newrelic-user-key", "New Relic user API key", H, "NRAK-", r"[A-Z0-9]{27}"),
    _prefixed("secrets.sentry-org-token", "Sentry organization auth token", H, "sntrys_", r"[A-Za-z0-9+/=_]{60,}"),
    _prefixed("secrets.sentry-user-token", "Sentry user auth token", H, "sntryu_", r"[a-f0-9]{64}"),
    _prefixed("secrets.dynatrace-token", "Dynatrace API token", H, "dt0c01.", r"[A-Z0-9]{24}\.[A-Z0-9]{64}"),
    _prefixed("secrets.fly-token", "Fly.io access token", H, "fo1_", r"[A-Za-z0-9_-]{43}"),
    _prefixed("secrets.openshift-token", "OpenShift user token", H, "sha256~", r"[A-Za-z0-9_-]{43}"),
    _prefixed("secrets.defined-networking-key", "Defined Networking API key", H, "dnkey-", r"[a-z0-9=_-]{26}-[a-z0-9=_-]{52}"),
    _named("secrets.datadog-api-key", "Datadog API key", H, ("datadog", "dd_api_key", "dd_app_key"), r"(?:datadog|dd)[_-]?(?:api|app)[_-]?key", r"[a-f0-9]{32}(?:[a-f0-9]{8})?", 3.0),
    # --- source hosting ------------------------------------------------------------------------
    _prefixed("secrets.github-pat-classic", "GitHub personal access token (classic)", C, "ghp_", r"[0-9A-Za-z]{36}", "github_crc32"),
    _prefixed("secrets.github-oauth-token", "GitHub OAuth access token", C, "gho_", r"[0-9A-Za-z]{36}", "github_crc32"),
    _prefixed("secrets.github-user-to-server", "GitHub App user-to-server token", C, "ghu_", r"[0-9A-Za-z]{36}", "github_crc32"),
    _prefixed("secrets.github-server-to-server", "GitHub App installation token", C, "ghs_", r"[0-9A-Za-z]{36}", "github_crc32"),
    _prefixed("secrets.github-installation-token-long", "GitHub App installation token (long format)", C, "ghs_", r"[0-9A-Za-z_]{37,600}"),
    _prefixed("secrets.github-refresh-token", "GitHub refresh token", C, "ghr_", r"[0-9A-Za-z]{36}", "github_crc32"),
    _prefixed("secrets.github-fine-grained-pat", "GitHub fine-grained personal access token", C, "github_pat_", r"[0-9A-Za-z]{22}_[0-9A-Za-z]{59}"),
    _prefixed("secrets.gitlab-pat", "GitLab personal / project / group access token", C, "glpat-", r"[0-9A-Za-z_.-]{20,}"),
    _prefixed("secrets.gitlab-pipeline-trigger", "GitLab pipeline trigger token", H, "glptt-", r"[0-9a-f]{40}"),
    _prefixed("secrets.gitlab-runner-token", "GitLab runner authentication token", H, "glrt-", r"[0-9A-Za-z_.-]{20,}"),
    _prefixed("secrets.gitlab-runner-registration", "GitLab runner registration token", H, "GR1348941", r"[0-9A-Za-z_-]{20}"),
    _prefixed("secrets.gitlab-deploy-token", "GitLab deploy token", H, "gldt-", r"[0-9A-Za-z_-]{20,}"),
    Rule("secrets.gitlab-other-token", "GitLab service account, CI build, incoming mail, agent or feature flag token", H,
         ("glsoat-", "glcbt-", "glimt-", "glagent-", "glffct-", "glso-"),
         _B + r"(?P<s>(?:glsoat|glimt|glagent|glffct|glso)-[0-9A-Za-z_-]{20,}|glcbt-[0-9a-fA-F]{1,5}_[0-9A-Za-z_-]{20,})" + _E),
    _prefixed("secrets.gitlab-feed-token", "GitLab feed token", M, "glft-", r"[0-9A-Za-z_-]{20,}"),
    _prefixed("secrets.gitlab-oauth-app-secret", "GitLab OAuth application secret", H, "gloas-", r"[0-9a-f]{64}"),
    _prefixed("secrets.bitbucket-app-password", "Bitbucket app password / API token", H, "ATBB", r"[A-Za-z0-9_=.-]{32}"),
    _prefixed("secrets.atlassian-api-token", "Atlassian API token", H, "ATATT3", r"[A-Za-z0-9_=-]{180,}"),
    Rule("secrets.sonarqube-token", "SonarQube / SonarCloud token", H, ("sqp_", "squ_", "sqa_"), _B + r"(?P<s>sq[pau]_[a-f0-9]{40})" + _E),
    # --- messaging --------------------------------------------------------------------------
    _prefixed("secrets.slack-bot-token", "Slack bot token", H, "xoxb-", r"[0-9]{8,16}-[0-9]{8,16}-[A-Za-z0-9]{20,32}"),
    _prefixed("secrets.slack-user-token", "Slack user token", H, "xoxp-", r"[0-9]{8,16}-[0-9]{8,16}-[0-9]{8,16}-[a-f0-9]{32}"),
    _prefixed("secrets.slack-app-token", "Slack app-level token", H, "xapp-", r"\d-[A-Z0-9]{9,12}-\d{10,14}-[a-f0-9]{64}"),
    Rule("secrets.slack-legacy-token", "Slack legacy / workspace token", H, ("xoxa-", "xoxo-", "xoxr-", "xoxs-"),
         _B + r"(?P<s>xox[aors]-\d{1,2}-[0-9]{8,16}-[0-9]{8,16}-[A-Za-z0-9]{10,48})" + _E),
    Rule("secrets.slack-config-token", "Slack configuration token", H, ("xoxe.xox",), _B + r"(?P<s>xoxe\.xox[bp]-\d-[A-Z0-9]{160,170})" + _E),
    Rule("secrets.slack-webhook", "Slack incoming webhook URL", H, ("hooks.slack.com",),
         r"https://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>T[A-Z0-9]{8,12}/[AB][A-Z0-9]{8,12}/[A-Za-z0-9]{23,24})"),
    Rule("secrets.discord-webhook", "Discord webhook URL", H, ("discord",),
         r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/(?P<s>[A-Za-z0-9_-]{60,68})"),
    Rule("secrets.telegram-bot-token", "Telegram bot token", H, (":aa",), r"(?<![0-9])(?P<s>\d{8,10}:AA[0-9A-Za-z_-]{33})" + _E),
    Rule("secrets.teams-webhook", "Microsoft Teams incoming webhook URL", M, ("webhook.office.com",),
         r"https://[a-z0-9-]+\.webhook\.office\.com/webhookb2/(?P<s>" + _UUID + r"@" + _UUID + r"/IncomingWebhook/[a-f0-9]{32}/" + _UUID + ")"),
    _named("secrets.twilio-api-key", "Twilio API key SID with secret context", H, ("twilio",), r"twilio[\w.-]{0,20}(?:key|sid)", r"SK[0-9a-fA-F]{32}", 3.0),
    _named("secrets.twilio-auth-token", "Twilio auth token", H, ("twilio",), r"twilio[\w.-]{0,20}(?:auth|token|secret)", r"[0-9a-f]{32}", 3.0),
    _prefixed("secrets.sendgrid-api-key", "SendGrid API key", H, "SG.", r"[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}"),
    _prefixed("secrets.mailgun-api-key", "Mailgun private API key", H, "key-", r"[0-9a-f]{32}"),
    Rule("secrets.mailchimp-api-key", "Mailchimp API key", H, ("-us",), _B + r"(?P<s>[0-9a-f]{32}-us\d{1,2})" + _E, anchor=r"-us\d"),
    # --- payments --------------------------------------------------------------------------------
    _prefixed("secrets.stripe-secret-key", "Stripe live secret key", C, "sk_live_", r"[0-9A-Za-z]{24,99}"),
    _prefixed("secrets.stripe-restricted-key", "Stripe live restricted key", H, "rk_live_", r"[0-9A-Za-z]{24,99}"),
    _prefixed("secrets.stripe-test-key", "Stripe test-mode secret key", L, "sk_test_", r"[0-9A-Za-z]{24,99}"),
    _prefixed("secrets.stripe-webhook-secret", "Stripe webhook signing secret", H, "whsec_", r"[A-Za-z0-9+/=]{32,}"),
    _prefixed("secrets.square-access-token", "Square access token", H, "sq0atp-", r"[0-9A-Za-z_-]{22}"),
    _prefixed("secrets.square-oauth-secret", "Square OAuth secret", H, "sq0csp-", r"[0-9A-Za-z_-]{43}"),
    Rule("secrets.braintree-access-token", "PayPal Braintree access token", H, ("access_token$production$",),
         r"(?P<s>access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})"),
    _prefixed("secrets.shopify-access-token", "Shopify access token", H, "shpat_", r"[a-fA-F0-9]{32}"),
    _prefixed("secrets.shopify-shared-secret", "Shopify shared secret", H, "shpss_", r"[a-fA-F0-9]{32}"),
    _prefixed("secrets.shopify-custom-app-token", "Shopify custom app access token", H, "shpca_", r"[a-fA-F0-9]{32}"),
    _prefixed("secrets.shopify-private-app-token", "Shopify private app access token", H, "shppa_", r"[a-fA-F0-9]{32}"),
    _prefixed("secrets.flutterwave-secret-key", "Flutterwave secret key", H, "FLWSECK-", r"[0-9a-f]{32}-X"),
    _prefixed("secrets.razorpay-key", "Razorpay live key id", M, "rzp_live_", r"[A-Za-z0-9]{14}"),
    _prefixed("secrets.shippo-token", "Shippo live API token", H, "shippo_live_", r"[a-f0-9]{40}"),
    _prefixed("secrets.easypost-key", "EasyPost production API key", H, "EZAK", r"[a-f0-9]{54}"),
    _prefixed("secrets.duffel-token", "Duffel API token", H, "duffel_live_", r"[A-Za-z0-9_=-]{43}"),
    # --- AI APIs ---------------------------------------------------------------------------------
    Rule("secrets.openai-api-key", "OpenAI API key", C, ("t3blbkfj",),
         _B + r"(?P<s>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})" + _E),
    _prefixed("secrets.openai-project-key", "OpenAI project API key", C, "sk-proj-", r"[A-Za-z0-9_-]{80,}"),
    _prefixed("secrets.anthropic-api-key", "Anthropic API key", C, "sk-ant-", r"(?:api03|admin01)-[A-Za-z0-9_-]{90,100}"),
    _prefixed("secrets.huggingface-token", "Hugging Face access token", H, "hf_", r"[A-Za-z]{34}"),
    _prefixed("secrets.huggingface-org-token", "Hugging Face organization token", H, "api_org_", r"[A-Za-z]{34}"),
    _prefixed("secrets.replicate-token", "Replicate API token", H, "r8_", r"[A-Za-z0-9]{37}"),
    _prefixed("secrets.groq-api-key", "Groq API key", H, "gsk_", r"[A-Za-z0-9]{52}"),
    _prefixed("secrets.perplexity-api-key", "Perplexity API key", H, "pplx-", r"[A-Za-z0-9]{48}"),
    _prefixed("secrets.xai-api-key", "xAI API key", H, "xai-", r"[A-Za-z0-9]{80}"),
    _prefixed("secrets.langsmith-key", "LangSmith API key", H, "lsv2_", r"(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}"),
    # --- package registries and CI ---------------------------------------------------------------
    _prefixed("secrets.pypi-token", "PyPI upload token", C, "pypi-AgEIcHlwaS5vcmc", r"[A-Za-z0-9_-]{50,}", "pypi_macaroon"),
    _prefixed("secrets.testpypi-token", "TestPyPI upload token", M, "pypi-AgENdGVzdC5weXBpLm9yZw", r"[A-Za-z0-9_-]{50,}", "pypi_macaroon"),
    _prefixed("secrets.npm-token", "npm access token", C, "npm_", r"[A-Za-z0-9]{36}", "github_crc32"),
    Rule("secrets.npmrc-auth-token", "npm registry auth token in .npmrc", H, (":_authtoken=",),
         r"//[^\s]{1,200}:_(?i:authToken)=(?P<s>[^\s\"'$]{20,})"),
    _prefixed("secrets.rubygems-key", "RubyGems API key", H, "rubygems_", r"[a-f0-9]{48}"),
    _prefixed("secrets.nuget-key", "NuGet API key", H, "oy2", r"[a-z0-9]{43}"),
    _prefixed("secrets.docker-hub-pat", "Docker Hub personal access token", H, "dckr_pat_", r"[A-Za-z0-9_-]{27,36}"),
    _prefixed("secrets.docker-hub-oat", "Docker Hub organization access token", H, "dckr_oat_", r"[A-Za-z0-9_-]{27,40}"),
    _prefixed("secrets.artifactory-key", "JFrog Artifactory API key", H, "AKCp", r"[A-Za-z0-9]{69}"),
    _prefixed("secrets.clojars-token", "Clojars deploy token", H, "CLOJARS_", r"[a-z0-9]{60}"),
    Rule("secrets.docker-config-auth", "Docker registry credentials (config.json auth)", H, ("\"auth\"",),
         r"\"auth\"\s*:\s*\"(?P<s>[A-Za-z0-9+/]{12,}={0,2})\"", "basic_auth_b64"),
    _prefixed("secrets.postman-api-key", "Postman API key", H, "PMAK-", r"[a-f0-9]{24}-[a-f0-9]{34}"),
    _prefixed("secrets.prefect-key", "Prefect API key", H, "pnu_", r"[A-Za-z0-9]{36}"),
    _prefixed("secrets.render-key", "Render API key", H, "rnd_", r"[A-Za-z0-9]{32}"),
    _prefixed("secrets.figma-token", "Figma personal access token", M, "figd_", r"[A-Za-z0-9_-]{40}"),
    _prefixed("secrets.linear-api-key", "Linear API key", M, "lin_api_", r"[A-Za-z0-9]{40}"),
    _prefixed("secrets.notion-token", "Notion integration token", M, "ntn_", r"[0-9]{11}[A-Za-z0-9]{35}"),
    _prefixed("secrets.typeform-token", "Typeform personal access token", M, "tfp_", r"[A-Za-z0-9_.=-]{59}"),
    _prefixed("secrets.adafruit-key", "Adafruit IO key", M, "aio_", r"[A-Za-z0-9]{28}"),
    _prefixed("secrets.onepassword-service-token", "1Password service account token", C, "ops_eyJ", r"[A-Za-z0-9+/=_-]{250,}"),
    _prefixed("secrets.age-secret-key", "age encryption secret key", C, "AGE-SECRET-KEY-1", r"[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}"),
    _prefixed("secrets.mapbox-secret-token", "Mapbox secret access token", H, "sk.eyJ", r"[A-Za-z0-9_-]{30,}\.[A-Za-z0-9_-]{20,}"),
    # --- private keys ----------------------------------------------------------------------------
    _pem("secrets.private-key-rsa", "RSA private key (PEM)", "RSA PRIVATE KEY", "pem_der"),
    _pem("secrets.private-key-ec", "EC private key (PEM)", "EC PRIVATE KEY", "pem_der"),
    _pem("secrets.private-key-dsa", "DSA private key (PEM)", "DSA PRIVATE KEY", "pem_der"),
    _pem("secrets.private-key-pkcs8", "PKCS#8 private key (PEM)", "PRIVATE KEY", "pem_der"),
    _pem("secrets.private-key-encrypted", "Encrypted PKCS#8 private key (PEM)", "ENCRYPTED PRIVATE KEY", "pem_der"),
    _pem("secrets.private-key-openssh", "OpenSSH private key", "OPENSSH PRIVATE KEY", "openssh"),
    _pem("secrets.private-key-pgp", "PGP private key block", "PGP PRIVATE KEY BLOCK", "pgp"),
    Rule("secrets.private-key-putty", "PuTTY private key file", C, ("putty-user-key-file-",),
         r"PuTTY-User-Key-File-\d: [\w-]+\s+Encryption: [\w-]+\s+Comment: [^\n]*\s+Public-Lines: \d+\s+(?:[A-Za-z0-9+/=]+\s+){1,40}Private-Lines: \d+\s+(?P<s>(?:[A-Za-z0-9+/=]+\s+){1,40})", window=8192),
    # --- tokens and URLs -------------------------------------------------------------------------
    Rule("secrets.jwt", "JSON Web Token", M, ("eyj",),
         _B + r"(?P<s>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})" + r"(?![A-Za-z0-9_=-])", "jwt"),
    Rule("secrets.twitter-bearer-token", "Twitter / X bearer token", H, ("aaaaaaaaaaaaaaaaaaaaa",),
         r"(?P<s>A{21,22}[A-Za-z0-9%]{30,})" + _E, "twitter_bearer"),
    Rule("secrets.database-url-password", "Database URL with an embedded password", H, ("://",),
         r"(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|mssql|sqlserver|oracle|cockroachdb|clickhouse|db2|cassandra|neo4j(?:\+s)?|couchdb)(?:\+[a-z0-9]+)?" + _URL_CREDS, "url_password",
         anchor="(?i)" + _URL_CREDS),
    Rule("secrets.broker-url-password", "Message broker URL with an embedded password", H, ("://",),
         r"(?i)\b(?:amqps?|mqtts?|nats|kafka|stomp|sqs|rabbitmq|celery)" + _URL_CREDS, "url_password", anchor="(?i)" + _URL_CREDS),
    Rule("secrets.basic-auth-url", "URL with basic-auth credentials", M, ("://",),
         r"(?i)\b(?:https?|ftps?|sftp|smtps?|ldaps?|git|svn|ssh|wss?|rsync|rtsps?|rtmps?|imaps?|pop3s?|davs?|webdavs?|telnet|scp|xmpp)" + _URL_CREDS, "url_password", anchor="(?i)" + _URL_CREDS),
)

# The generic credential-assignment rule is implemented in generic.py; its metadata lives here so
# that every rule id is listed in one place.
GENERIC_RULE = Rule(
    "secrets.generic-assignment",
    "Credential-like value assigned to a password / secret / token / key name",
    M,
    GENERIC_KEYWORDS,
    "",
)

PKCS12_RULE = Rule("secrets.pkcs12-keystore", "PKCS#12 / PFX keystore file (binary private key container)", H, (), "")

ALL_RULE_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES) + (GENERIC_RULE.id, PKCS12_RULE.id)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES + (GENERIC_RULE, PKCS12_RULE)}
