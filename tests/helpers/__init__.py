"""Shared test helpers: fake engines, local servers, generated documents (imported as tests.helpers.*)."""
