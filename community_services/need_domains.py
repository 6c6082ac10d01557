"""The one list of need domains (design.md): referral reasons, goals and service categories."""

from django.db import models


class NeedDomain(models.TextChoices):
    LONELINESS = "loneliness", "Loneliness and social isolation"
    MENTAL_WELLBEING = "mental_wellbeing", "Mental wellbeing"
    PHYSICAL_ACTIVITY = "physical_activity", "Physical activity"
    HEALTHY_EATING = "healthy_eating", "Healthy eating"
    LONG_TERM_CONDITIONS = "long_term_conditions", "Long-term condition self-management"
    MONEY_AND_DEBT = "money_and_debt", "Money and debt"
    BENEFITS = "benefits", "Benefits"
    HOUSING = "housing", "Housing"
    EMPLOYMENT_AND_SKILLS = "employment_and_skills", "Employment and skills"
    CARERS_SUPPORT = "carers_support", "Carers' support"
    BEREAVEMENT = "bereavement", "Bereavement"
    ARTS_AND_CULTURE = "arts_and_culture", "Arts and culture"
    NATURE = "nature", "Nature and green activities"
    VOLUNTEERING = "volunteering", "Volunteering"
    LEARNING = "learning", "Learning"
    DIGITAL_INCLUSION = "digital_inclusion", "Digital inclusion"
