import { breakGlassTest, forwardPersonal, mfaDeniedAccident, newIsp, newPhone, typoFailures } from "./account.js";
import { mfaFatigue, ssprTakeover } from "./credential.js";
import type { Scenario } from "./outcome.js";
import { cgnatTi, consumerVpn, sanctionedAutomation, vpnTi } from "./reputation.js";
import { aitm, oauthConsent, tokenTheft, travelCover } from "./takeover.js";
import { exonerating, geoipError, travelReal, vpnEgress } from "./travel.js";

/** Every story by the name its `scenario:` tag carries. */
export const SCENARIOS: Record<string, Scenario> = {
  travel_real: travelReal,
  vpn_egress: vpnEgress,
  exonerating,
  geoip_error: geoipError,
  cgnat_ti: cgnatTi,
  vpn_ti: vpnTi,
  consumer_vpn: consumerVpn,
  sanctioned_automation: sanctionedAutomation,
  new_phone: newPhone,
  typo_failures: typoFailures,
  new_isp: newIsp,
  mfa_denied_accident: mfaDeniedAccident,
  forward_personal: forwardPersonal,
  break_glass_test: breakGlassTest,
  aitm,
  token_theft: tokenTheft,
  oauth_consent: oauthConsent,
  travel_cover: travelCover,
  mfa_fatigue: mfaFatigue,
  sspr_takeover: ssprTakeover,
};
