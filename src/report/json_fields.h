// Field helpers shared by the JSON reports in src/report/ (check_json,
// discovery_json, setup_json): writing Poco JSON objects in a stable key
// order, and reading fields back from saved reports without exceptions.
//
// Readers are lenient on purpose: a field that is missing, null or of the
// wrong type reads as absent (nullopt, a null pointer or an empty list); the
// caller decides whether the field is required and words the error. No
// function here throws a Poco exception. Pure functions, thread-safe; the
// returned Ptrs are Poco's reference-counted pointers, owned by the caller.
#ifndef MAILSCOUT_REPORT_JSON_FIELDS_H_
#define MAILSCOUT_REPORT_JSON_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "core/result.h"

namespace mailscout::json {

using Poco::JSON::Array;
using Poco::JSON::Object;

// ---- Writing ----

// An empty object that keeps its keys in insertion order (the documented
// field order of docs/json.md).
Object::Ptr NewObject();

// A JSON array of the strings, in order.
Array::Ptr Strings(const std::vector<std::string>& items);

// null when value is empty, else the string.
Poco::Dynamic::Var StringOrNull(const std::string& value);

// A JSON array with ToJson(item) for each item, in order. ToJson is the
// overload for T in namespace mailscout (found by argument-dependent lookup).
template <typename T>
Array::Ptr ToJsonArray(const std::vector<T>& items) {
  Array::Ptr array = new Array();
  for (const T& item : items) array->add(ToJson(item));
  return array;
}

// null when value is empty, else ToJson(*value) (see ToJsonArray).
template <typename T>
Poco::Dynamic::Var ToJsonOrNull(const std::optional<T>& value) {
  if (!value) return Poco::Dynamic::Var();
  return ToJson(*value);
}

// ---- Reading ----

// True when o has key and its value is not null.
bool HasValue(const Object::Ptr& o, const std::string& key);

// The value of key when it has that type; nullopt when missing, null or of
// another type. GetInt accepts any JSON number that fits an int64_t (not a
// numeric string).
std::optional<std::string> GetString(const Object::Ptr& o, const std::string& key);
std::optional<int64_t> GetInt(const Object::Ptr& o, const std::string& key);
std::optional<bool> GetBool(const Object::Ptr& o, const std::string& key);

// The array or object at key; a null Ptr when missing, null or of another type.
Array::Ptr GetArray(const Object::Ptr& o, const std::string& key);
Object::Ptr GetObject(const Object::Ptr& o, const std::string& key);

// The object at index i of array; a null Ptr when it is not an object.
Object::Ptr ObjectAt(const Array::Ptr& array, size_t i);

// The string elements of the array at key (other elements are skipped);
// empty when the array is missing.
std::vector<std::string> GetStrings(const Object::Ptr& o, const std::string& key);

// read(element) for every element of array, in order (an element that is not
// an object is passed as a null Ptr). The first error is returned as is. A
// null array gives an empty list.
template <typename T>
Result<std::vector<T>> ReadEach(const Array::Ptr& array, Result<T> (*read)(const Object::Ptr&)) {
  std::vector<T> out;
  if (array.isNull()) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    Result<T> item = read(ObjectAt(array, i));
    if (!item.ok()) return item.error();
    out.push_back(std::move(item.value()));
  }
  return out;
}

// Parses text as a JSON object and returns read(object). Text that is not
// JSON gives bad("not JSON (<parser message>)"), JSON that is not an object
// bad("not JSON (...)") or bad("not a JSON object (...)"); an exception
// escaping read is reported the same way. Never throws.
template <typename T>
Result<T> ReadText(const std::string& text, Result<T> (*read)(const Object::Ptr&),
                   Error (*bad)(const std::string&)) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(text);
    return read(parsed.extract<Object::Ptr>());
  } catch (const Poco::Exception& e) {
    return bad("not JSON (" + e.displayText() + ")");
  } catch (const std::exception& e) {
    return bad(std::string("not a JSON object (") + e.what() + ")");
  }
}

}  // namespace mailscout::json

#endif  // MAILSCOUT_REPORT_JSON_FIELDS_H_
