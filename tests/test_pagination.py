"""CountingPaginator: the page and its total from one query, the same answers as Django's."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

from common.pagination import CountingPaginator
from community_services.models import Service
from tests.community_services.factories import ServiceFactory


@pytest.fixture
def services(db):
    for n in range(7):
        ServiceFactory(name=f"Service {n}")
    return Service.objects.order_by("name", "pk")


def test_a_page_and_its_total_come_from_one_query(services, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = CountingPaginator(services, 3).page(2)
        assert [s.name for s in page] == ["Service 3", "Service 4", "Service 5"]
        assert (page.paginator.count, page.paginator.num_pages) == (7, 3)
        assert page.has_next() and page.has_previous()


@pytest.mark.parametrize("asked", ["1", "2", "3", "4", "0", "x", "", None, 2.0, "-1"])
def test_get_page_answers_as_djangos_paginator_does(services, asked):
    ours, django = CountingPaginator(services, 3), Paginator(services, 3)
    mine, theirs = ours.get_page(asked), django.get_page(asked)
    assert (mine.number, list(mine), ours.count) == (theirs.number, list(theirs), django.count)


def test_invalid_numbers_raise_as_djangos_do(services):
    with pytest.raises(PageNotAnInteger):
        CountingPaginator(services, 3).page("x")
    with pytest.raises(EmptyPage):
        CountingPaginator(services, 3).page(0)
    with pytest.raises(EmptyPage):
        CountingPaginator(services, 3).page(9)


def test_nothing_matching_is_one_empty_page(db):
    page = CountingPaginator(Service.objects.order_by("pk"), 3).page(1)
    assert (list(page), page.paginator.count) == ([], 0)
