from tests.conftest import gql


def test_catalog_answers(catalog_app, client_for):
    client = client_for(catalog_app)
    body = gql(client, "{ allProductCategories { code } }")
    assert body == {"data": {"allProductCategories": []}}
