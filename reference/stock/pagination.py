from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """?page=N&limit=M: 20 a page unless limit says otherwise, at most 1000."""

    page_size = 20
    page_size_query_param = "limit"
    max_page_size = 1000
