# cabinet: FastCGI handlers behind nginx. `make run`, `make test`.
# SANITIZE=address,undefined builds everything with those sanitizers.
# Parallel by default (one job per core); `make -j1` for a serial build.

CXX      ?= g++
CXXFLAGS ?= -O2 -g
CXXFLAGS += -pthread -std=c++17 -Wall -Wextra -Werror -Wshadow -Wconversion -Wno-sign-conversion -Ilib -I/usr/include/postgresql
LDFLAGS  += -pthread
LDLIBS    = -lfcgi -lpq -lssl -lcrypto
# libssh is needed only by lib/sshkey.o: the linker pulls that member of
# libcabinet.a into the programs that use it (the account handler, the unit
# tests), and only those link -lssh.
SSH_LIBS  = -lssh
BUILD    := build

ifneq ($(SANITIZE),)
# GCC 12 reports false maybe-uninitialized warnings on std::optional<std::string>
# once the sanitizers instrument it; the plain build keeps the warning.
CXXFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -Wno-maybe-uninitialized
LDFLAGS  += -fsanitize=$(SANITIZE)
endif

LIB_SRC   := $(wildcard lib/*.cpp)
LIB_OBJ   := $(LIB_SRC:%.cpp=$(BUILD)/obj/%.o)
HANDLERS  := $(patsubst handlers/%.cpp,%,$(wildcard handlers/*.cpp))
HANDLER_BIN := $(HANDLERS:%=$(BUILD)/handlers/%)
TEST_SRC  := $(wildcard tests/lib/*.cpp)
TEST_OBJ  := $(TEST_SRC:%.cpp=$(BUILD)/obj/%.o)

ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

.PHONY: all build run test unit deps test-deps clean bench
.SECONDARY:

all: build

deps:
	@scripts/install-deps

# What only the tests need (promtool, the OpenAPI tools from the npm registry): `make test` only.
test-deps: deps
	@scripts/install-deps --test

build: deps $(HANDLER_BIN) $(BUILD)/cabinet-admin

$(BUILD)/obj/%.o: %.cpp $(wildcard lib/*.hpp)
	@mkdir -p $(dir $@)
	@echo "  CXX  $<"
	@$(CXX) $(CXXFLAGS) -c $< -o $@

# The IANA zone list compiled into the validators (scripts/gen-zones).
$(BUILD)/obj/lib/validate.o: lib/zones.inc

$(BUILD)/libcabinet.a: $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/handlers/%: $(BUILD)/obj/handlers/%.o $(BUILD)/libcabinet.a
	@mkdir -p $(dir $@)
	@echo "  LINK $@"
	@$(CXX) $(LDFLAGS) $< $(BUILD)/libcabinet.a $(LDLIBS) $(if $(filter account,$*),$(SSH_LIBS)) -o $@

$(BUILD)/cabinet-admin: $(BUILD)/obj/scripts/admin/cabinet_admin.o $(BUILD)/libcabinet.a
	$(CXX) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/unit-tests: $(TEST_OBJ) $(BUILD)/libcabinet.a
	$(CXX) $(LDFLAGS) $^ $(LDLIBS) $(SSH_LIBS) -lboost_unit_test_framework -o $@

$(BUILD)/obj/tests/lib/%.o: CXXFLAGS += -DBOOST_TEST_DYN_LINK -Wno-conversion

run: build
	@CABINET_SKIP_BUILD=1 scripts/run

test: build $(BUILD)/unit-tests test-deps
	@scripts/run-tests

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

bench:
	@scripts/bench

clean:
	rm -rf build build-*
