"""What each figure counts, in words: shown beside its table ("How this is counted"), on the
definitions page, and stored with every monthly snapshot, so a figure can be read as it was
meant when it was reported. Bump DEFINITIONS_VERSION when a definition changes."""

DEFINITIONS_VERSION = "2026-12-2"

COMMON = (
    "Periods are whole days in UK time (GMT or BST as it falls), so a referral received at "
    "00:30 on 1 April belongs to April. Filters narrow the referrals counted: team, referring "
    "practice, a need domain among the referral's reasons, referral source, and a community "
    "service the case was referred on to."
)

DEFINITIONS: dict[str, str] = {
    "received_by_month": "Referrals received in the period, by the month (UK time) they were "
    "received. Every referral counts once, whatever became of it.",
    "received_by_practice": "Referrals received in the period, by the practice that referred.",
    "received_by_need_domain": "Referrals received in the period giving each need domain among "
    "their reasons. A referral may give up to several reasons, so the rows add up to more than "
    "the referrals received.",
    "received_by_urgency_source": "Referrals received in the period, by who asked for the "
    "referral (the referral source) and the urgency the referrer gave.",
    "triage_decisions": "Of the referrals received in the period: accepted (ever accepted by "
    "the team, whatever happened next), declined by the team (by reason), declined by the "
    "patient, closed as unable to contact, and those still awaiting triage now.",
    "waiting_times": "For referrals received in the period (the last row: onward referrals sent "
    "in the period), the elapsed time of each step in days (24-hour periods, so a clock change "
    "adds or loses no hour), median and 90th percentile (linear interpolation, as PostgreSQL's "
    "percentile_cont). Triaged: accepted, or declined by the team. First onward referral: the "
    "earliest sent for the case. Provider's answer: accepted or declined. A step not yet "
    "reached is not measured: 'Measured' says how many were.",
    "still_waiting": "Referrals received in the period, still open now (received or accepted) "
    "and with no first contact recorded, by how long they have waited until now.",
    "funnel": "Of the referrals received in the period, how many reached each step having "
    "reached every step before it: accepted; first contact recorded; at least one goal; at "
    "least one onward referral; attended at least one (the provider marked it attended); "
    "closed with an outcome. 'Dropped off' is the previous step's count minus this one's.",
    "onward_by_service": "Onward referrals sent in the period from the cases in scope, by "
    "service, with how many the provider ever accepted, declined, marked attended, did not "
    "attend or completed, and how many still await an answer (sent or no response).",
    "providers_not_answering": "Per provider, onward referrals sent in the period still "
    "unanswered after the nudge period (PROVIDER_NUDGE_AFTER_DAYS), and those the sweep marked "
    "'no response'. Providers with neither are not listed.",
    "capacity_over_time": "Approved services by what they say about capacity. The directory "
    "keeps only the current value, so the history is what each monthly snapshot recorded on "
    "the 1st; the last row is today. Covers the whole directory, not only your teams.",
    "case_outcomes": "Cases (accepted referrals) closed in the period, by the closure outcome "
    "the coordinator recorded.",
    "goal_outcomes": "Every goal of the cases closed in the period, by its status at closing.",
    "wellbeing_change": "Cases closed in the period. Baseline: the measure recorded as "
    "baseline. Follow-up: the closing measure, else the latest review measure. Change: "
    "follow-up minus baseline, for those with both; the mean with its 95% confidence interval "
    "(t distribution, n − 1 degrees of freedom). Counts with and without a follow-up stand "
    "beside it: those without one are not in the mean. Meaningful improvement: SWEMWBS, a rise "
    "of at least 3 metric points (Warwick Medical School's SWEMWBS guidance; Shah et al. 2021, "
    "Health and Quality of Life Outcomes 19:260). ONS4: ONS publishes no minimal important "
    "change for the items, so a move into a better band of ONS's published thresholds (ONS "
    "Personal well-being user guidance: low 0–4, medium 5–6, high 7–8, very high 9–10; anxiety "
    "very low 0–1, low 2–3, medium 4–5, high 6–10, where lower is better). Someone already in "
    "the best band cannot improve by this measure. One row per case: a person with two cases "
    "closed in the period counts twice.",
    "workload": "Now, whatever the period: open cases (accepted or in progress) assigned to "
    "each coordinator of your teams; their scheduled reviews due in the next 7 days and "
    "overdue (scheduled time passed, not recorded); and their cases accepted but with no first "
    "contact yet.",
    "escalations": "Reviews whose overdue reminder was escalated to the team's managers, once "
    "each however many managers were told, newest first, with whether the review is still "
    "not recorded.",
    "equity": "Referrals received in the period by the patient's age at referral, sex or "
    "gender as recorded, NHS ethnic category (optional; 'Not stated' when the patient chose "
    "not to say, 'Not recorded' when nobody asked) and, where a postcode lookup is loaded, the "
    "IMD decile of the postcode's LSOA. Contacted: a first contact was recorded. Goals met: "
    "closed with the outcome goals met or goals partly met.",
    "uptake": "People a practice's case-finding list put on the outreach worklist in the "
    "period (the day the list was imported), per practice and list, or per practice by the age "
    "band (on today's date), sex and ethnic category the list gave. Contacted: at least one "
    "contact attempt recorded. Accepted: the person accepted a referral (made through intake, "
    "source 'proactive identification'). Declined: recorded with the SNOMED CT code "
    "871711000000103 for the practice. No response: ended after the set number of attempts. "
    "Still being contacted: identified or taken, not yet ended. Filters other than team, "
    "practice and period do not apply.",
    "suppression": "Commissioners see counts of 1 to {threshold_less_one} as '<{threshold}', and "
    "any median, percentile, mean or share worked out from fewer than {threshold} people the "
    "same way, on the page, in the charts and in the CSV. Zero is shown. Where a table shows a "
    "total with its parts (a total row or column, the funnel's dropped-off counts, baseline = both "
    "+ no follow-up), one hidden part alone could be worked out from the total minus the others, "
    "so the smallest other non-zero count in that sum is hidden too, as '[c]', and so is "
    "anything worked out from it (secondary suppression).",
}
