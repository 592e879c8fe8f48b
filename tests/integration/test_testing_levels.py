"""The lys.testing plugin's callers for the role and organization levels, used on the
reference project (the plugin's own settings: ``lys_settings`` in pyproject.toml)."""

from __future__ import annotations

import pytest

from lys.graphql.global_ids import encode_global_id
from lys.testing import GraphQLOperationError
from lys.testing.users import Users

ALL_USERS = "{ allUsers { totalCount } }"
CLIENT = "query($id: ID!) { client(id: $id) { name } }"
CLIENT_USERS = "query($id: ID) { allClientUsers(clientId: $id) { totalCount } }"


def test_a_role_holder_calls_what_the_role_opens(lys_users: Users):
    holder = lys_users.at_level("role_holder", roles=["USER_SUPERVISOR_ROLE"])
    assert holder.graphql(ALL_USERS)["allUsers"]["totalCount"] >= 1
    with pytest.raises(GraphQLOperationError) as refused:
        lys_users.at_level("user").graphql(ALL_USERS)
    assert refused.value.code == "PERMISSION_DENIED"


def test_client_owners_and_members_reach_their_client_only(lys_users: Users):
    owner = lys_users.at_level("client_owner", name="Acme")
    client_id = owner.user.client_id
    gid = encode_global_id("ClientNode", client_id)
    assert owner.graphql(CLIENT, {"id": gid}) == {"client": {"name": "Acme"}}
    admin = lys_users.at_level("client_member", client=client_id, roles=["USER_ADMIN_ROLE"])
    assert admin.graphql(CLIENT_USERS, {"id": gid})["allClientUsers"]["totalCount"] == 2
    stranger = lys_users.at_level("client_member", roles=["USER_ADMIN_ROLE"])
    assert stranger.graphql(CLIENT_USERS, {"id": gid})["allClientUsers"]["totalCount"] == 0
    bare = lys_users.at_level("client_member", client=client_id)
    with pytest.raises(GraphQLOperationError) as refused:
        bare.graphql(CLIENT_USERS, {"id": gid})
    assert refused.value.code == "PERMISSION_DENIED"


SIGN_UP = """mutation($inputs: CreateClientInput!) { createClient(inputs: $inputs) { id } }"""


def test_jobs_wait_for_the_jobs_fixture_to_run_them(graphql, jobs):
    inputs = {
        "clientName": "Jobs & Co",
        "email": "owner@jobs.example",
        "password": "Correct-horse-42-battery",
        "languageCode": "en",
    }
    graphql(SIGN_UP, {"inputs": inputs})
    assert jobs.executions("send_email") == []
    ran = jobs.run()
    assert [(run.job_id, run.status_id) for run in ran] == [("send_email", "SUCCEEDED")]
