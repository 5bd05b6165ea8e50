#define BOOST_TEST_MODULE cabinet
#include <boost/test/unit_test.hpp>
