"""Moves in one selection at the same moment on PostgreSQL (real concurrent connections):
each takes the selection's row lock, so the films keep positions 0..n-1, each once — two
moves reading the same order and writing their own would leave two films at one place."""

import threading

import pytest
from django.db import connection

from editorial import services
from tests.factories import FilmFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_moves_keep_positions_dense_and_unique(library):
    selection = services.library_selection_create(institution=library, title="Ensemble")
    films = FilmFactory.create_batch(6)
    items = [
        services.library_selection_item_add(selection=selection, film=film.pk) for film in films
    ]
    movers = [(items[5], 0), (items[4], 1), (items[0], 5), (items[1], 3)]
    barrier = threading.Barrier(len(movers))
    results = [None] * len(movers)

    def run(index):
        item, position = movers[index]
        try:
            barrier.wait(timeout=10)
            results[index] = services.library_selection_item_move(
                selection=selection, item_id=item.pk, position=position
            )
        except Exception as exc:  # surfaced by the assertions below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(movers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not isinstance(result, Exception) for result in results), results
    rows = list(selection.items.order_by("position").values_list("position", "film_id"))
    assert [position for position, _ in rows] == [0, 1, 2, 3, 4, 5]
    assert sorted(film for _, film in rows) == sorted(film.pk for film in films)


def test_two_steps_up_at_the_same_moment_move_a_film_two_places(library):
    """Two librarians press "up" on the same film at once: each step counts from the
    film's place under the lock, so it moves two places (a place read before the lock
    would have sent both to the same one)."""
    selection = services.library_selection_create(institution=library, title="Ensemble")
    films = FilmFactory.create_batch(4)
    items = [
        services.library_selection_item_add(selection=selection, film=film.pk) for film in films
    ]
    barrier = threading.Barrier(2)
    errors = []

    def press_up():
        try:
            barrier.wait(timeout=10)
            services.library_selection_item_move(selection=selection, item_id=items[3].pk, step=-1)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    order = list(selection.items.order_by("position").values_list("film_id", flat=True))
    assert order == [films[0].pk, films[3].pk, films[1].pk, films[2].pk]
